import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildCoordinator } from '../../coordinator/app.ts';
import { createSetupToken } from '../../coordinator/operator/accounts.ts';
import { httpClient, type HttpAnswer, type HttpRequest } from '../support/http-client.ts';
import { silentLog, tempDir } from './coordinator-harness.ts';

describe('operator accounts', () => {
  let app: FastifyInstance;
  let http: (request: HttpRequest) => Promise<HttpAnswer>;
  beforeAll(async () => {
    app = await buildCoordinator({
      db: join(tempDir('breadcast-operator-'), 'coordinator.sqlite'),
      logger: silentLog,
      initialWeights: () => new Float32Array(2),
    });
    http = httpClient(await app.listen({ host: '127.0.0.1', port: 0 }));
  });
  afterAll(() => app.close());

  it('creates the first operator once through the setup link, then logs in', async () => {
    const token = await createSetupToken(app.coordinator.store, new Date());
    const setup = (name: string) =>
      http({
        method: 'POST',
        url: '/v1/operator/setup',
        payload: { token, name, password: 'a long enough password' },
      });
    const first = await setup('alice');
    expect(first.statusCode).toBe(200);
    expect(String(first.headers['set-cookie'])).toMatch(
      /breadcast_session=.*HttpOnly.*SameSite=Strict/,
    );
    expect(String(first.headers['set-cookie'])).not.toMatch(/Secure/);
    expect((await setup('mallory')).statusCode).toBe(403);
    const stored = (await app.coordinator.store.get<{ password_hash: string }>(
      'SELECT password_hash FROM operators',
    ))!;
    expect(stored.password_hash).toMatch(/^scrypt\$32768\$8\$1\$/);
    expect(stored.password_hash).not.toContain('a long enough password');
  });

  it('changes settings only with the session’s CSRF token and validates the schedule', async () => {
    const login = await http({
      method: 'POST',
      url: '/v1/operator/login',
      payload: { name: 'alice', password: 'a long enough password' },
    });
    const cookie = String(login.headers['set-cookie']).split(';')[0]!;
    const put = (payload: unknown, csrf: string) =>
      http({
        method: 'PUT',
        url: '/v1/operator/settings',
        payload: payload as object,
        headers: { cookie, 'x-csrf-token': csrf },
      });
    expect((await put({ schedule: '0 2 * * *' }, 'wrong')).statusCode).toBe(403);
    expect((await put({ schedule: 'every night' }, login.json().csrfToken)).json().error).toBe(
      'bad-schedule',
    );
    const changed = await put(
      { schedule: '30 2 * * *', round: { minShops: 3, serverOptimizer: { kind: 'fedavgm' } } },
      login.json().csrfToken,
    );
    expect(changed.json()).toMatchObject({
      schedule: '30 2 * * *',
      round: { minShops: 3, serverOptimizer: { kind: 'fedavgm', momentum: 0.9 } },
    });
    const next = app.coordinator.engine.nextScheduledRun()!;
    expect([next.getHours(), next.getMinutes()]).toEqual([2, 30]);
    expect(
      (
        await http({
          method: 'POST',
          url: '/v1/operator/logout',
          headers: { cookie, 'x-csrf-token': login.json().csrfToken },
        })
      ).statusCode,
    ).toBe(200);
    expect(
      (await http({ method: 'GET', url: '/v1/operator/settings', headers: { cookie } })).statusCode,
    ).toBe(401);
  });

  it('rate-limits login attempts', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 7; i++)
      statuses.push(
        (
          await http({
            method: 'POST',
            url: '/v1/operator/login',
            payload: { name: 'alice', password: `guess ${i}` },
          })
        ).statusCode,
      );
    expect(statuses).toContain(429);
    expect(statuses.filter((s) => s === 401).length).toBeLessThanOrEqual(5);
  });
});
