/**
 * A 300-shop secure round over real HTTP on the SecAgg+ graph: more shops than one Shamir
 * split can hold (255), so each shop shares its secrets only within its neighbourhood. Every
 * shop has its own SQLite file and identity and runs the app's client; 30 % vanish after their
 * masked upload. The round publishes the exact sample-weighted mean of all uploads.
 */
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import type { Db } from '../../electron/store/database.ts';
import { listLedger } from '../../electron/sync/ledger.ts';
import { anyRoundPolicy, phaseDeadlines } from '../support/shops.ts';
import { sqliteOf, storedWeights } from '../support/coordinator-store.ts';
import { operatorSession, startCoordinator, tempDir } from './coordinator-harness.ts';
import { enrolShops, runSecureRound } from './secagg-harness.ts';

const N = 300;
const D = 200;
const C = 0.1;

const opened: Db[] = [];
let app: FastifyInstance | null = null;
afterAll(async () => {
  await app?.close();
  for (const db of opened) db.close();
});

describe('a 300-shop secure round over HTTP', () => {
  it('runs on the SecAgg+ graph with 30 % gone after upload and publishes the exact weighted mean', async () => {
    const dir = tempDir('breadcast-secagg-300-');
    const started = await startCoordinator(join(dir, 'coordinator.db'), 0, {
      initialWeights: () => new Float32Array(D),
      // 300 bakeries enrol within seconds from one address.
      enrolRateLimit: { max: 10_000, timeWindow: 60_000 },
    });
    app = started.app;
    const operator = await operatorSession(started.app, started.url);
    const update = (i: number) => () =>
      Float32Array.from({ length: D }, (_, j) => 0.004 * Math.cos(i * 7 + j * 0.3) + 0.001);
    const shops = await enrolShops(
      started.url,
      dir,
      operator,
      Array.from({ length: N }, (_, i) => update(i)),
      undefined,
      'big',
      anyRoundPolicy,
    );
    shops.forEach((s, i) => {
      opened.push(s.db);
      s.samples = 10 + (i % 50);
    });
    const put = await operator.call('PUT', '/v1/operator/settings', {
      schedule: null,
      round: {
        mode: 'secure',
        localEpochs: 1,
        learningRate: 0.05,
        clipNorm: C,
        minShops: 2,
        weighting: 'samples',
        maxSampleWeight: 40,
        noiseMultiplier: 0,
        // Sized for 30 colluders: neighbourhoods of 98 (the default c = 100 needs 230).
        colluders: 30,
        serverOptimizer: { kind: 'fedavg', learningRate: 1 },
        deadlines: phaseDeadlines(3600),
      },
    });
    expect(put.status, JSON.stringify(put.body)).toBe(200);
    const gone = new Set(shops.filter((_, i) => i % 10 < 3).map((s) => s.shopId));
    const before = new Float32Array(D);
    const { round } = await runSecureRound(() => started.app, operator, shops, gone, 'confirm');
    expect(round.phase, String(round.failureReason)).toBe('published');

    const weights = shops.map((s) => Math.min(s.samples!, 40) / 40);
    const total = weights.reduce((a, b) => a + b, 0);
    const expected = new Float64Array(D);
    shops.forEach((shop, i) => {
      const delta = shop.update(before);
      const norm = Math.sqrt(delta.reduce((s, v) => s + v * v, 0));
      const scale = norm > C ? C / norm : 1;
      delta.forEach((v, j) => (expected[j]! += (weights[i]! * v * scale) / total));
    });
    const published = storedWeights(sqliteOf(started.app), Number(round.resultVersion));
    let worst = 0;
    published.forEach((w, j) => (worst = Math.max(worst, Math.abs(w - expected[j]!))));
    expect(worst).toBeLessThan(1e-6);

    // Every shop checked the graph itself: SecAgg+ neighbourhoods, far fewer than 299 neighbours.
    const masked = listLedger(shops[17]!.db, { limit: 50, roundId: Number(round.id) }).entries.find(
      (e) => e.kind === 'masked',
    )!;
    expect(masked.details).toMatchObject({ graph: 'secagg+', rosterSize: N });
    expect(masked.details).toMatchObject({ colluders: 30, neighbours: 98, shamirThreshold: 32 });
  }, 1_800_000);
});
