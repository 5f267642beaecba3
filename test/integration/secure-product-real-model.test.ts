import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createOperator } from '../../coordinator/operator/accounts.ts';
import { openCoordinatorStore } from '../../coordinator/store/database.ts';
import { openDatabase, type Db } from '../../electron/store/database.ts';
import { SyncClient } from '../../electron/sync/client.ts';
import { listLedger } from '../../electron/sync/ledger.ts';
import { defaultPrivacyPolicy, savePrivacyPolicy } from '../../electron/privacy/policy.ts';
import { modelTrainer } from '../../electron/sync/model-trainer.ts';
import { chainDays, tempDir } from './coordinator-harness.ts';
import {
  loginOperator,
  operatorName,
  operatorPassword,
  spawnCoordinator,
  type CoordinatorProcess,
} from '../support/coordinator-process.ts';
import { phaseDeadlines } from '../support/shops.ts';

/*
 * The whole product path with the real shared model: the shipped coordinator CLI creates its
 * TF.js initial model; three bakeries with 70 days of rolls from bakery-chain.csv in their own
 * SQLite train it with the production trainer inside a noised secure round.
 */

const hour = 3600;
const live: CoordinatorProcess[] = [];
const dbs: Db[] = [];
afterAll(async () => {
  for (const c of live) await c.kill();
  for (const db of dbs) db.close();
});

function bakeryWithLogs(path: string, store: number): Db {
  const db = openDatabase(path);
  const at = '2026-11-27T00:00:00Z';
  const product = db
    .prepare(
      "INSERT INTO products (name, name_key, category, shelf_life_days, created_at, updated_at) VALUES ('Roll', 'roll', 'rolls', 1, ?, ?)",
    )
    .run(at, at);
  const insert = db.prepare(
    'INSERT INTO daily_logs (date, product_id, sold, updated_at) VALUES (?, ?, ?, ?)',
  );
  chainDays(store, 'roll', 70).forEach((day, i) => {
    const date = new Date(Date.UTC(2026, 8, 1) + i * 86_400_000).toISOString().slice(0, 10);
    insert.run(date, product.lastInsertRowid, day.sold, at);
  });
  return db;
}

describe('secure round with the real model and trainer', () => {
  it('three bakeries train the shared TF.js model on their own logs; the round publishes a new version every shop then holds', async () => {
    const dir = tempDir('breadcast-secure-real-');
    const dbPath = join(dir, 'coordinator.db');
    const store = await openCoordinatorStore(dbPath);
    await createOperator(store, operatorName, operatorPassword);
    await store.close();
    const coordinator = await spawnCoordinator(dbPath);
    live.push(coordinator);
    const operator = await loginOperator(coordinator.url);
    const put = await operator.call('PUT', '/v1/operator/settings', {
      schedule: null,
      round: {
        mode: 'secure',
        minShops: 3,
        secaggThreshold: 3,
        noiseMultiplier: 1.1,
        clipNorm: 1,
        localEpochs: 1,
        deadlines: phaseDeadlines(hour),
      },
      privacy: { budget: 100 },
    });
    expect(put.status, JSON.stringify(put.body)).toBe(200);

    const shops: SyncClient[] = [];
    for (const [i, store] of [2, 5, 17].entries()) {
      const db = bakeryWithLogs(join(dir, `shop-${i}.db`), store);
      savePrivacyPolicy(db, { ...defaultPrivacyPolicy, minShops: 3 }, new Date());
      dbs.push(db);
      const client = new SyncClient({ db, trainer: modelTrainer(db), appVersion: '0.1.0' });
      const invite = await operator.call('POST', '/v1/operator/invites', { expiresInHours: 1 });
      await client.enrol({
        coordinatorUrl: coordinator.url,
        inviteCode: String(invite.body.code),
        shopName: `Bakery ${i}`,
      });
      shops.push(client);
    }
    const opened = await operator.call('POST', '/v1/operator/rounds', {});
    expect(opened.status, JSON.stringify(opened.body)).toBe(200);
    const version = Number(opened.body.modelVersion);

    const results = await Promise.all(
      shops.map((client) => client.runUntilRoundSettles({ pollMs: 100, maxMs: 60_000 })),
    );
    for (const result of results) {
      expect(result.status.lastError).toBeNull();
      expect(result.status.currentRound?.phase).toBe('published');
      expect(result.status.modelVersion).toBe(version + 1);
      expect(result.status.privacy.epsilon).toBeGreaterThan(0);
    }
    for (const db of dbs) {
      const uploads = listLedger(db, { limit: 200 }).entries.filter((e) => e.kind === 'masked');
      expect(uploads).toHaveLength(1);
      expect(uploads[0]!.noiseMultiplier).toBe(1.1);
      expect(uploads[0]!.details.sampleCount).toBeGreaterThan(0);
    }
  }, 90_000);
});
