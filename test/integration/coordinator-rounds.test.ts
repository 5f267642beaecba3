import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { openDatabase, type Db } from '../../electron/store/database.ts';
import { SyncClient } from '../../electron/sync/client.ts';
import { listLedger } from '../../electron/sync/ledger.ts';
import { savePrivacyPolicy } from '../../electron/privacy/policy.ts';
import { anyRoundPolicy } from '../support/shops.ts';
import { pendingCount } from '../../electron/sync/outbox.ts';
import {
  chainDays,
  linearTrainer,
  operatorSession,
  startCoordinator,
  tempDir,
} from './coordinator-harness.ts';
import { sqliteOf, storedWeights } from '../support/coordinator-store.ts';

type Shop = {
  name: string;
  db: Db;
  client: SyncClient;
  trainer: ReturnType<typeof linearTrainer>;
  days: number;
};

const settings = {
  mode: 'plain' as const,
  localEpochs: 5,
  learningRate: 0.05,
  clipNorm: 0.1,
  minShops: 2,
  weighting: 'samples' as const,
  maxSampleWeight: 100,
  serverOptimizer: { kind: 'fedavg' as const, learningRate: 1 },
  deadlines: {
    openSeconds: 0,
    advertiseSeconds: 60,
    shareSeconds: 60,
    collectSeconds: 600,
    confirmSeconds: 60,
    unmaskSeconds: 60,
  },
};

/** The expected next global model, computed here without any coordinator code. */
function expectedModel(global: Float32Array, shops: Shop[]): Float32Array {
  const sum = new Float64Array(global.length);
  let total = 0;
  for (const shop of shops) {
    const local = shop.trainer.trainSync(global, settings.localEpochs, settings.learningRate);
    const delta = Float32Array.from(local, (v, i) => v - global[i]!);
    const norm = Math.sqrt(delta.reduce((s, v) => s + v * v, 0));
    const scale = norm > settings.clipNorm ? settings.clipNorm / norm : 1;
    const clipped = Float32Array.from(delta, (v) => v * scale);
    const weight = Math.min(shop.days, settings.maxSampleWeight);
    clipped.forEach((v, i) => (sum[i]! += v * weight));
    total += weight;
  }
  return Float32Array.from(global, (g, i) => g + sum[i]! / total);
}

function expectClose(actual: Float32Array, expected: Float32Array): void {
  expect(actual.length).toBe(expected.length);
  actual.forEach((v, i) =>
    expect(Math.abs(v - expected[i]!)).toBeLessThan(1e-6 + 1e-5 * Math.abs(expected[i]!)),
  );
}

describe('federated rounds over real HTTP', () => {
  const dir = tempDir('breadcast-rounds-');
  const coordinatorDb = join(dir, 'coordinator.db');
  let app: FastifyInstance;
  const shops: Shop[] = [];

  afterAll(async () => {
    await app?.close();
    for (const shop of shops) shop.db.close();
  });

  it('runs three rounds: exact weighted average, lost answers retried, an offline shop catches up, a restart loses nothing', async () => {
    const started = await startCoordinator(coordinatorDb);
    app = started.app;
    const { url, port } = started;
    const operator = await operatorSession(app, url);
    expect(
      (await operator.call('PUT', '/v1/operator/settings', { schedule: null, round: settings }))
        .status,
    ).toBe(200);

    // Shop B's first upload reaches the coordinator but the answer is lost on the way back.
    let cutAnswer = true;
    const flakyFetch: typeof fetch = async (input, init) => {
      const response = await fetch(input, init);
      if (cutAnswer && String(input).endsWith('/update')) {
        cutAnswer = false;
        throw new TypeError('socket hang up');
      }
      return response;
    };
    const plan: [string, number, number, typeof fetch | undefined][] = [
      ['A', 2, 120, undefined],
      ['B', 5, 80, flakyFetch],
      ['C', 17, 150, undefined],
    ];
    for (const [name, store, days, customFetch] of plan) {
      const db = openDatabase(join(dir, `shop-${name}.db`));
      savePrivacyPolicy(db, anyRoundPolicy, new Date());
      const trainer = linearTrainer(chainDays(store, 'roll', days));
      const client = new SyncClient({ db, trainer, appVersion: '0.1.0', fetch: customFetch });
      const invite = await operator.call('POST', '/v1/operator/invites', { expiresInHours: 1 });
      const status = await client.enrol({
        coordinatorUrl: url,
        inviteCode: String(invite.body.code),
        shopName: `Bakery ${name}`,
      });
      expect(status.enrolled).toBe(true);
      shops.push({ name, db, client, trainer, days });
    }
    const [a, b, c] = shops as [Shop, Shop, Shop];
    const globalOf = async (version: number) => {
      return storedWeights(sqliteOf(app), version);
    };

    // Round 1: everyone takes part; the last upload completes the collect phase.
    const round1 = await operator.call('POST', '/v1/operator/rounds', {});
    expect(round1.body.phase).toBe('collect');
    await a.client.runOnce();
    const lost = await b.client.runOnce();
    expect(lost.status.lastError).toMatch(/cannot be reached/);
    expect(pendingCount(b.db)).toBe(1);
    await c.client.runOnce();
    let rounds = await operator.call('GET', '/v1/operator/rounds/1');
    expect(rounds.body.phase).toBe('published');
    expect(rounds.body.uploads).toBe(3);
    expectClose(await globalOf(2), expectedModel(await globalOf(1), shops));
    // The retry is answered as a duplicate: nothing counted twice. Both attempts left the
    // bakery, so both are ledgered (same bytes); the round is charged once.
    const retried = await b.client.runOnce();
    expect(retried.status.lastError).toBeNull();
    expect(pendingCount(b.db)).toBe(0);
    const attempts = listLedger(b.db, { limit: 50, roundId: 1 }).entries.filter(
      (e) => e.kind === 'update',
    );
    expect(attempts.map((e) => e.answer)).toEqual(['accepted', 'none']);
    expect(new Set(attempts.map((e) => e.payloadSha256)).size).toBe(1);
    expect(b.client.status().privacy).toMatchObject({ rounds: 1, plainUpdates: 1, epsilon: null });
    for (const shop of shops) await shop.client.runOnce();
    expect(shops.map((s) => s.client.status().modelVersion)).toEqual([2, 2, 2]);
    // Shops no longer send their own accuracy in the clear: the registry has no per-shop figures.
    const models = await operator.call('GET', '/v1/operator/models');
    const v2 = (
      models.body.models as { version: number; metrics: unknown; current: boolean }[]
    ).find((m) => m.version === 2)!;
    expect(v2).toMatchObject({ current: true, metrics: null });

    // Round 2: shop C is offline; the operator closes collection with two updates.
    await operator.call('POST', '/v1/operator/rounds', {});
    await a.client.runOnce();
    await b.client.runOnce();
    expect((await operator.call('GET', '/v1/operator/rounds/2')).body.phase).toBe('collect');
    const closed = await operator.call('POST', '/v1/operator/rounds/2/close-phase');
    expect(closed.body.phase).toBe('published');
    expectClose(await globalOf(3), expectedModel(await globalOf(2), [a, b]));

    // Round 3: A uploads, then the coordinator dies and comes back from its database file.
    await operator.call('POST', '/v1/operator/rounds', {});
    await a.client.runOnce();
    await app.close();
    const offline = await b.client.runOnce();
    expect(offline.status.lastError).toMatch(/cannot be reached/);
    app = (await startCoordinator(coordinatorDb, port)).app;
    // Sessions live in the database too: the operator stays logged in across the restart.
    expect((await operator.call('GET', '/v1/operator/rounds/3')).body).toMatchObject({
      phase: 'collect',
      uploads: 1,
    });
    await b.client.runOnce();
    const caughtUp = await c.client.runOnce(); // C missed round 2: it fetches v3, trains from it, uploads
    expect(caughtUp.participatedInRound).toBe(3);
    rounds = await operator.call('GET', '/v1/operator/rounds/3');
    expect(rounds.body).toMatchObject({ phase: 'published', uploads: 3, resultVersion: 4 });
    expectClose(await globalOf(4), expectedModel(await globalOf(3), shops));
    for (const shop of shops) await shop.client.runOnce();
    expect(shops.map((s) => s.client.status().modelVersion)).toEqual([4, 4, 4]);
    expect(
      listLedger(c.db, { limit: 50 })
        .entries.filter((e) => e.kind === 'update')
        .map((e) => e.roundId),
    ).toEqual([3, 1]);
    expect(c.client.status().privacy).toMatchObject({ rounds: 2, plainUpdates: 2 });
  });
});
