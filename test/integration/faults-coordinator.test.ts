import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { stepSecureRound } from '../../electron/sync/secagg-client.ts';
import { loadSyncState } from '../../electron/sync/state.ts';
import { listLedger } from '../../electron/sync/ledger.ts';
import type { RoundView } from '../../federated/protocol/index.ts';
import {
  clippedDelta,
  integrityOf,
  phaseDeadlines,
  anyRoundPolicy,
  startConsortium,
  stopConsortia,
  type TestShop,
} from '../support/shops.ts';
import { storedWeights } from '../support/coordinator-store.ts';

type Phase = 'advertise' | 'share' | 'collect' | 'unmask';
const phases: Phase[] = ['advertise', 'share', 'collect', 'unmask'];
const hour = 3600;
const train = { localEpochs: 5, learningRate: 0.05, clipNorm: 0.1 };

function readModel(dbPath: string, version: number): Float32Array {
  const db = new Database(dbPath, { readonly: true });
  try {
    return storedWeights(db, version);
  } finally {
    db.close();
  }
}

function roundRow(dbPath: string, id: number) {
  const db = new Database(dbPath, { readonly: true });
  try {
    return db.prepare('SELECT * FROM rounds WHERE id = ?').get(id) as Record<string, unknown>;
  } finally {
    db.close();
  }
}

afterAll(stopConsortia);

describe('coordinator SIGKILLed in each round phase, restarted on the same database', () => {
  it('secure rounds: killed after half the shops acted in advertise, share, collect and unmask — each round publishes the average of all four updates, each counted once', async () => {
    const consortium = await startConsortium('fault-coord', 4, 'sec', anyRoundPolicy);
    const { dbPath, operator, shops } = consortium;
    let coordinator = consortium.coordinator;
    const put = await operator.call('PUT', '/v1/operator/settings', {
      schedule: null,
      round: {
        ...train,
        mode: 'secure',
        minShops: 3,
        secaggThreshold: 3,
        noiseMultiplier: 0,
        weighting: 'equal',
        serverOptimizer: { kind: 'fedavg', learningRate: 1 },
        deadlines: phaseDeadlines(hour),
      },
    });
    expect(put.status, JSON.stringify(put.body)).toBe(200);

    const step = async (shop: TestShop, roundId: number) => {
      const view = (await operator.call('GET', `/v1/operator/rounds/${roundId}`))
        .body as unknown as RoundView;
      const options = {
        db: shop.db,
        http: shop.http(),
        identity: { shopId: shop.shopId, privateKey: loadSyncState(shop.db)!.privateKey },
        now: () => new Date(),
        computeUpdate: async (r: RoundView) => ({
          delta: Float32Array.from(
            clippedDelta(shop.trainer, readModel(dbPath, r.modelVersion), {
              ...train,
              clipNorm: 1e9,
            }),
          ),
          sampleCount: 40,
        }),
      };
      try {
        return await stepSecureRound(options, view);
      } catch {
        // The first request on a socket of the killed process fails: the shop polls again.
        return await stepSecureRound(options, view);
      }
    };

    for (const killAt of phases) {
      const opened = await operator.call('POST', '/v1/operator/rounds', {});
      expect(opened.status, JSON.stringify(opened.body)).toBe(200);
      const roundId = Number(opened.body.id);
      const before = readModel(dbPath, Number(opened.body.modelVersion));
      for (const phase of phases) {
        expect(roundRow(dbPath, roundId).phase).toBe(phase);
        if (phase === killAt) {
          await step(shops[0]!, roundId);
          await step(shops[1]!, roundId);
          await coordinator.kill();
          coordinator = await consortium.respawn();
          // The restarted coordinator remembers what it acknowledged: still this phase.
          expect(roundRow(dbPath, roundId).phase).toBe(phase);
          // The first two shops poll again (nothing to resend), then the others act.
          for (const shop of shops) await step(shop, roundId);
        } else {
          for (const shop of shops) await step(shop, roundId);
        }
      }
      const row = roundRow(dbPath, roundId);
      expect(row.phase, `killed in ${killAt}: ${String(row.failure_reason)}`).toBe('published');
      const sum = new Float64Array(before.length);
      for (const shop of shops)
        clippedDelta(shop.trainer, before, train).forEach((v, j) => (sum[j]! += v));
      const published = readModel(dbPath, Number(row.result_version));
      // Four updates, each counted once: a double count or a lost one would move this by ≥ 0.002.
      published.forEach((w, j) =>
        expect(Math.abs(w - (before[j]! + sum[j]! / shops.length))).toBeLessThan(1e-5),
      );
      // Shops learn the outcome and clear their round state.
      for (const shop of shops) await step(shop, roundId);
    }
    for (const shop of shops) {
      const uploads = listLedger(shop.db, { limit: 500 }).entries.filter(
        (e) => e.kind === 'masked',
      );
      expect([...new Set(uploads.map((e) => e.roundId))].sort()).toEqual([1, 2, 3, 4]);
      expect(shop.client.status().privacy).toMatchObject({ rounds: 4, noiselessUpdates: 4 });
      expect(integrityOf(shop.db)).toBe('ok');
    }
  });

  it('plain rounds with the shipped CLI: killed while open, while collecting and while publishing; acknowledged uploads survive, nothing is counted or published twice', async () => {
    const consortium = await startConsortium('fault-plain', 3, 'plain', anyRoundPolicy);
    const { dbPath, operator, shops } = consortium;
    let coordinator = consortium.coordinator;
    const settings = {
      ...train,
      mode: 'plain',
      minShops: 3,
      weighting: 'equal',
      serverOptimizer: { kind: 'fedavg', learningRate: 1 },
      deadlines: phaseDeadlines(hour, 2),
    };
    expect(
      (await operator.call('PUT', '/v1/operator/settings', { schedule: null, round: settings }))
        .status,
    ).toBe(200);
    const opened = await operator.call('POST', '/v1/operator/rounds', {});
    expect(opened.body.phase).toBe('open');
    const roundId = Number(opened.body.id);
    const before = readModel(dbPath, Number(opened.body.modelVersion));

    // Killed while open: the restarted process re-arms the open deadline from the database.
    await coordinator.kill();
    coordinator = await consortium.respawn();
    const deadline = Date.now() + 10_000;
    while (roundRow(dbPath, roundId).phase === 'open' && Date.now() < deadline)
      await new Promise((resolve) => setTimeout(resolve, 200));
    expect(roundRow(dbPath, roundId).phase).toBe('collect');

    // Killed while collecting, after one acknowledged upload.
    await shops[0]!.client.runOnce();
    await shops[0]!.client.runOnce(); // the first call may meet the killed process's socket
    expect(shops[0]!.client.status().pendingOutbox).toBe(0);
    await coordinator.kill();
    const offline = await shops[1]!.client.runOnce();
    expect(offline.status.lastError).toMatch(/cannot be reached/);
    coordinator = await consortium.respawn();
    for (const shop of shops) await shop.client.runOnce({ ignoreBackoff: true });
    for (const shop of shops) await shop.client.runOnce({ ignoreBackoff: true });
    const row = roundRow(dbPath, roundId);
    expect(row.phase, String(row.failure_reason)).toBe('published');
    const db = new Database(dbPath, { readonly: true });
    const counted = db
      .prepare(
        'SELECT COUNT(*) AS n, COUNT(DISTINCT shop_id) AS shops FROM updates WHERE round_id = ?',
      )
      .get(roundId) as { n: number; shops: number };
    db.close();
    expect(counted.shops).toBe(3);
    const sum = new Float64Array(before.length);
    for (const shop of shops)
      clippedDelta(shop.trainer, before, train).forEach((v, j) => (sum[j]! += v));
    const published = readModel(dbPath, Number(row.result_version));
    published.forEach((w, j) =>
      expect(Math.abs(w - (before[j]! + sum[j]! / 3))).toBeLessThan(1e-6),
    );
    for (const shop of shops) {
      expect(shop.client.status().modelVersion).toBe(Number(row.result_version));
      expect(integrityOf(shop.db)).toBe('ok');
    }

    // Round 2: killed while the operator's close-phase aggregates and publishes. Publication
    // is one transaction: after the restart the round is either still collecting (closed
    // again) or published — never half, never twice.
    const round2 = await operator.call('POST', '/v1/operator/rounds', {
      settings: { minShops: 2, deadlines: { ...settings.deadlines, openSeconds: 0 } },
    });
    expect(round2.body.phase, JSON.stringify(round2.body)).toBe('collect');
    const round2Id = Number(round2.body.id);
    const before2 = readModel(dbPath, Number(round2.body.modelVersion));
    await shops[0]!.client.runOnce({ ignoreBackoff: true });
    await shops[1]!.client.runOnce({ ignoreBackoff: true });
    const closing = operator
      .call('POST', `/v1/operator/rounds/${round2Id}/close-phase`)
      .catch(() => null);
    await new Promise((resolve) => setTimeout(resolve, 5));
    await coordinator.kill();
    await closing;
    await consortium.respawn();
    if (roundRow(dbPath, round2Id).phase === 'collect')
      await operator.call('POST', `/v1/operator/rounds/${round2Id}/close-phase`);
    const row2 = roundRow(dbPath, round2Id);
    expect(row2.phase, String(row2.failure_reason)).toBe('published');
    const versions = new Database(dbPath, { readonly: true });
    const models = versions.prepare('SELECT version, round_id FROM models ORDER BY version').all();
    versions.close();
    expect(models).toEqual([
      { version: 1, round_id: null },
      { version: 2, round_id: roundId },
      { version: 3, round_id: round2Id },
    ]);
    const sum2 = new Float64Array(before2.length);
    for (const shop of shops.slice(0, 2))
      clippedDelta(shop.trainer, before2, train).forEach((v, j) => (sum2[j]! += v));
    readModel(dbPath, 3).forEach((w, j) =>
      expect(Math.abs(w - (before2[j]! + sum2[j]! / 2))).toBeLessThan(1e-6),
    );
  });
});
