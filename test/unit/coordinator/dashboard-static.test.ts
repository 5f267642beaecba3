import Fastify from 'fastify';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { dashboardStaticPlugin } from '../../../coordinator/overview/dashboard-static.ts';

describe('dashboard static serving', () => {
  it('serves the built app under /dashboard/ with a same-origin-only policy', async () => {
    const root = mkdtempSync(join(tmpdir(), 'breadcast-dashboard-dist-'));
    writeFileSync(join(root, 'index.html'), '<!doctype html><title>dash</title>');
    const app = Fastify();
    await app.register(dashboardStaticPlugin, { root });
    const page = await app.inject('/dashboard/');
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('<title>dash</title>');
    expect(page.headers['content-security-policy']).toContain("default-src 'self'");
    expect(page.headers['x-frame-options']).toBe('DENY');
    expect(page.headers['cache-control']).toBe('no-cache');
    const bare = await app.inject('/dashboard');
    expect(bare.statusCode).toBe(302);
    expect(bare.headers.location).toBe('/dashboard/');
    await app.close();
  });

  it('says how to build the dashboard when it is missing', async () => {
    const app = Fastify();
    await app.register(dashboardStaticPlugin, { root: join(tmpdir(), 'no-such-dashboard-build') });
    const page = await app.inject('/dashboard/');
    expect(page.statusCode).toBe(503);
    expect(page.body).toContain('npm run build');
    await app.close();
  });
});
