import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { operatorSession, startCoordinator, tempDir } from './coordinator-harness.ts';
import { lockDatabase } from '../support/sqlite-locker.ts';
import { anyRoundPolicy, enrolTestShops, integrityOf } from '../support/shops.ts';
import { sqliteOf } from '../support/coordinator-store.ts';

let app: FastifyInstance | undefined;
const dbs: { close(): void }[] = [];
afterAll(async () => {
  await app?.close();
  for (const db of dbs) db.close();
});

describe("the coordinator's database locked by another process", () => {
  it('writes get a clear 503 (not a crash, not a 500) while the lock is held, and succeed after release; the file stays intact', async () => {
    const dir = tempDir('breadcast-fault-lock-');
    const path = join(dir, 'coordinator.db');
    const started = await startCoordinator(path);
    app = started.app;
    const operator = await operatorSession(app, started.url);
    const [shop] = await enrolTestShops(started.url, dir, operator, 1, {
      prefix: 'lock',
      policy: anyRoundPolicy,
    });
    dbs.push(shop!.db);
    await operator.call('PUT', '/v1/operator/settings', { round: { mode: 'plain' } });
    const rounds = () =>
      (sqliteOf(app!).prepare('SELECT COUNT(*) AS n FROM rounds').get() as { n: number }).n;

    const locker = await lockDatabase(path);
    // The operator's write and the shop's signed request (it records its nonce) both wait the
    // busy timeout, then get a 503 that says what is wrong.
    const [opened, sync] = await Promise.all([
      operator.call('POST', '/v1/operator/rounds', {}),
      shop!.client.runOnce(),
    ]);
    expect(opened.status).toBe(503);
    expect(opened.body).toMatchObject({ error: 'busy' });
    expect(String(opened.body.message)).toMatch(/database is busy|try again/i);
    expect(sync.status.lastError).toMatch(/busy/i);
    // Reads still work under SQLite's WAL: the health check answers.
    expect((await fetch(`${started.url}/health`)).status).toBe(200);
    await locker.release();

    expect(rounds()).toBe(0);
    const retried = await operator.call('POST', '/v1/operator/rounds', {});
    expect(retried.status).toBe(200);
    expect((await shop!.client.runOnce()).status.lastError).toBeNull();

    // A locker killed while holding the lock leaves nothing behind either.
    const killed = await lockDatabase(path);
    await killed.kill();
    expect((await operator.call('GET', '/v1/operator/rounds')).status).toBe(200);
    expect(integrityOf(sqliteOf(app))).toBe('ok');
    expect(integrityOf(shop!.db)).toBe('ok');
  });
});
