import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { openDatabase, type Db } from '../../electron/store/database.ts';
import { listLedger } from '../../electron/sync/ledger.ts';
import { forgetFinishedSecureRounds } from '../../electron/sync/secagg-client.ts';
import { lifetimeEpsilon as shopEpsilon } from '../../electron/privacy/budget.ts';
import { computeEpsilon } from '../../federated/privacy/accountant.ts';
import {
  chainDays,
  linearTrainer,
  operatorSession,
  startCoordinator,
  tempDir,
} from './coordinator-harness.ts';
import { anyRoundPolicy, phaseDeadlines } from '../support/shops.ts';
import { enrolShops, phases, runSecureRound } from './secagg-harness.ts';
import { sqliteOf, storedWeights } from '../support/coordinator-store.ts';

const baseSettings = {
  mode: 'secure' as const,
  localEpochs: 5,
  learningRate: 0.05,
  clipNorm: 0.1,
  minShops: 2,
  weighting: 'equal' as const,
  serverOptimizer: { kind: 'fedavg' as const, learningRate: 1 },
  deadlines: phaseDeadlines(3600),
};

function clip(delta: Float32Array, c: number): Float64Array {
  const norm = Math.sqrt(delta.reduce((s, v) => s + v * v, 0));
  const scale = norm > c ? c / norm : 1;
  return Float64Array.from(delta, (v) => v * scale);
}

describe('secure aggregation over real HTTP: ten shops, 30 % dropping at each phase', () => {
  const dir = tempDir('breadcast-secagg-');
  let app: FastifyInstance;
  const opened: Db[] = [];
  afterAll(async () => {
    await app?.close();
    for (const db of opened) db.close();
  });

  it('completes with T = 7 and publishes the average of the survivors’ clipped updates; fails cleanly when 8 uploads are required', async () => {
    const coordinatorDb = join(dir, 'coordinator.db');
    const started = await startCoordinator(coordinatorDb, 0, {});
    app = started.app;
    const operator = await operatorSession(app, started.url);
    const stores = [2, 17, 25, 26, 28, 30, 33, 34, 36, 37];
    const shops = await enrolShops(
      started.url,
      dir,
      operator,
      stores.map((store, i) => {
        const trainer = linearTrainer(chainDays(store, 'roll', 60 + 10 * i));
        return (global: Float32Array) => {
          const local = trainer.trainSync(
            global,
            baseSettings.localEpochs,
            baseSettings.learningRate,
          );
          return Float32Array.from(local, (v, j) => v - global[j]!);
        };
      }),
      undefined,
      'shop',
      anyRoundPolicy,
    );
    shops.forEach((s) => opened.push(s.db));
    // A different 30 % each time, so every shop both drops and survives across the rounds.
    const dropSet = (k: number) =>
      new Set([0, 1, 2].map((j) => shops[(3 * k + j) % shops.length]!.shopId));

    const put = async (threshold: number, noiseMultiplier = 0) =>
      expect(
        (
          await operator.call('PUT', '/v1/operator/settings', {
            schedule: null,
            round: { ...baseSettings, secaggThreshold: threshold, noiseMultiplier },
          })
        ).status,
      ).toBe(200);

    // The SecAgg routes are part of the published OpenAPI document.
    const openapi = (await (await fetch(`${started.url}/openapi.json`)).json()) as {
      paths: object;
    };
    expect(Object.keys(openapi.paths).filter((path) => path.includes('/secagg'))).toHaveLength(11);

    await put(7);
    for (const [k, dropAt] of phases.entries()) {
      const dropped = dropSet(k);
      const before = storedWeights(sqliteOf(app), Math.max(...modelVersions(app)));
      const { round } = await runSecureRound(() => app, operator, shops, dropped, dropAt);
      expect(round.phase, `drop at ${dropAt}: ${String(round.failureReason)}`).toBe('published');
      // Shops that uploaded count, even those that vanished before signing or unmasking.
      const counted =
        dropAt === 'confirm' || dropAt === 'unmask'
          ? shops
          : shops.filter((s) => !dropped.has(s.shopId));
      const sum = new Float64Array(before.length);
      for (const shop of counted)
        clip(shop.update(before), baseSettings.clipNorm).forEach((v, j) => (sum[j]! += v));
      const published = storedWeights(sqliteOf(app), Number(round.resultVersion));
      published.forEach((w, j) =>
        expect(Math.abs(w - (before[j]! + sum[j]! / counted.length))).toBeLessThan(1e-6),
      );
      // The coordinator kept no masked vector or encrypted share once the round was over.
      const db = sqliteOf(app);
      expect(
        db
          .prepare(
            "SELECT COUNT(*) AS n FROM secagg_messages WHERE round_id = ? AND kind = 'masked' AND body IS NOT NULL",
          )
          .get(round.id),
      ).toEqual({ n: 0 });
      expect(
        db.prepare('SELECT COUNT(*) AS n FROM secagg_shares WHERE round_id = ?').get(round.id),
      ).toEqual({ n: 0 });
      const header = db.prepare('SELECT phase_state FROM rounds WHERE id = ?').get(round.id) as {
        phase_state: string;
      };
      expect((JSON.parse(header.phase_state) as { sum?: string }).sum).toBeTruthy();
    }

    // Each shop's ledger lists its masked uploads: bytes, clip norm, hash, what they held.
    const ledger = listLedger(shops[9]!.db, { limit: 200 }).entries.filter(
      (e) => e.kind === 'masked',
    );
    expect(ledger.length).toBeGreaterThanOrEqual(3);
    expect(ledger[0]!.details).toMatchObject({ mode: 'secure', threshold: 7, noiseMultiplier: 0 });
    expect(ledger[0]!.clipNorm).toBe(0.1);

    // 8 uploads required with three shops gone before uploading: the round fails, nothing is
    // published. Gone after uploading, their updates still count: all ten are summed.
    await put(8);
    for (const [k, dropAt] of phases.entries()) {
      const versions = modelVersions(app).length;
      const { round } = await runSecureRound(() => app, operator, shops, dropSet(k), dropAt);
      if (dropAt === 'confirm' || dropAt === 'unmask') {
        expect(round.phase, `drop at ${dropAt}: ${String(round.failureReason)}`).toBe('published');
        expect(modelVersions(app).length).toBe(versions + 1);
        continue;
      }
      expect(round.phase, `drop at ${dropAt}`).toBe('failed');
      expect(String(round.failureReason)).toMatch(/7 .*8 needed/);
      expect(modelVersions(app).length).toBe(versions);
    }
    await app.close();
  });

  it('with noise: the published model is the survivors’ average plus Gaussian noise of the calibrated size; a restart and a lost answer lose nothing', async () => {
    const D = 3000;
    const coordinatorDb = join(dir, 'coordinator-noise.db');
    let started = await startCoordinator(coordinatorDb, 0, {
      initialWeights: () => new Float32Array(D),
    });
    app = started.app;
    const port = started.port;
    const operator = await operatorSession(app, started.url);
    // Shop 0's masked upload reaches the coordinator but the answer is lost on the way back.
    let cut = true;
    const flaky: typeof fetch = async (input, init) => {
      const response = await fetch(input, init);
      if (cut && String(input).endsWith('/secagg/masked')) {
        cut = false;
        throw new TypeError('socket hang up');
      }
      return response;
    };
    const shops = await enrolShops(
      started.url,
      dir,
      operator,
      Array.from(
        { length: 10 },
        (_, i) => () =>
          Float32Array.from({ length: D }, (_, j) => 0.01 * Math.sin(i * 13 + j * 0.7)),
      ),
      (i) => (i === 0 ? flaky : undefined),
      'noisy',
    );
    shops.forEach((s) => opened.push(s.db));
    const z = 1.5;
    const C = 0.1;
    const t = 7;
    expect(
      (
        await operator.call('PUT', '/v1/operator/settings', {
          schedule: null,
          round: { ...baseSettings, clipNorm: C, secaggThreshold: t, noiseMultiplier: z },
        })
      ).status,
    ).toBe(200);
    const dropped = new Set(shops.slice(7).map((s) => s.shopId));
    const { round } = await runSecureRound(
      () => app,
      operator,
      shops,
      dropped,
      'collect',
      async (phase) => {
        if (phase === 'unmask') {
          // Shop 1 restarts between its upload and the unmasking: its round state is in its database.
          const shop = shops[1]!;
          const file = shop.db.name;
          shop.db.close();
          shop.db = openDatabase(file);
          opened.push(shop.db);
          return;
        }
        if (phase !== 'collect') return;
        // The coordinator stops between key sharing and the uploads and comes back from its file.
        await app.close();
        started = await startCoordinator(coordinatorDb, port, {});
        app = started.app;
      },
    );
    expect(round.phase, String(round.failureReason)).toBe('published');
    const survivors = shops.slice(0, 7);
    const expected = new Float64Array(D);
    for (const shop of survivors)
      clip(shop.update(new Float32Array(D)), C).forEach((v, j) => (expected[j]! += v / 7));
    const published = storedWeights(sqliteOf(app), Number(round.resultVersion));
    const residual = Array.from(published, (w, j) => w - expected[j]!);
    // n = 10 sized for c = 3 colluders: seven noise shares of variance (zΔ)²/(T − c) sum to
    // 7/4 (zΔ)², Δ = C·√(1 + 3 · 0.2²) with the masked evaluation figures; the average divides by 7.
    const sensitivity = C * Math.sqrt(1 + 3 * 0.2 ** 2);
    const sigma = (z * sensitivity * Math.sqrt(survivors.length / (t - 3))) / survivors.length;
    const mean = residual.reduce((s, e) => s + e, 0) / D;
    const std = Math.sqrt(residual.reduce((s, e) => s + (e - mean) ** 2, 0) / (D - 1));
    // std estimate has relative sd 1/√(2D) ≈ 1.3 %: a 10 % band is over 7 sd; the mean 6 sd.
    expect(Math.abs(std / sigma - 1)).toBeLessThan(0.1);
    expect(Math.abs(mean)).toBeLessThan((6 * sigma) / Math.sqrt(D));
    // Without noise this would be ~1e-9: the noise is really there, and not more than calibrated.
    expect(std).toBeGreaterThan(sigma * 0.9);

    // The lost answer was retried: both attempts are ledgered (same bytes), the round charged once.
    expect(cut).toBe(false);
    const ledger = listLedger(shops[0]!.db, {
      limit: 10,
      roundId: Number(round.id),
    }).entries.filter((e) => e.kind === 'masked');
    expect(ledger.map((e) => e.answer)).toEqual(['accepted', 'none']);
    expect(ledger[0]!.payloadSha256).toBe(ledger[1]!.payloadSha256);
    expect(ledger[1]!.noiseMultiplier).toBe(z);
    expect(ledger[1]!.epsilonSpent).toBeCloseTo(
      computeEpsilon({ noiseMultiplier: z, rounds: 1, delta: 1e-5 }).epsilon,
      9,
    );
    expect(ledger[1]!.bytes).toBeGreaterThan(D * 4);
    expect(shopEpsilon(shops[0]!.db)!).toBeCloseTo(ledger[1]!.epsilonSpent!, 12);
    // Shops that missed the end of a round drop its secrets once no round is running.
    expect(forgetFinishedSecureRounds(shops[0]!.db, null)).toBe(1);
    expect(
      shops[0]!.db
        .prepare("SELECT COUNT(*) AS c FROM settings WHERE key LIKE 'secagg.round.%'")
        .get(),
    ).toEqual({ c: 0 });

    // A total budget between one and two such rounds, set while the next round advertises: it
    // stops as advertising closes, before any update is computed.
    const one = computeEpsilon({ noiseMultiplier: z, rounds: 1, delta: 1e-5 }).epsilon;
    const two = computeEpsilon({ noiseMultiplier: z, rounds: 2, delta: 1e-5 }).epsilon;
    const budget = { privacy: { delta: 1e-5, budget: (one + two) / 2 } };
    const versions = modelVersions(app).length;
    const stopped = await runSecureRound(
      () => app,
      operator,
      shops,
      new Set(),
      null,
      async (phase) => {
        if (phase === 'advertise')
          expect((await operator.call('PUT', '/v1/operator/settings', budget)).status).toBe(200);
      },
    );
    expect(stopped.round.phase).toBe('failed');
    expect(String(stopped.round.failureReason)).toMatch(/above the total budget/);
    expect(modelVersions(app).length).toBe(versions);
    expect(stopped.steps.every((s) => s.action !== 'uploaded')).toBe(true);
    // Once set, the budget refuses the next round at the door, with its reason.
    const refused = await operator.call('POST', '/v1/operator/rounds', {});
    expect(refused.status).toBe(409);
    expect(refused.body.error).toBe('privacy-budget');
    expect(String(refused.body.message)).toMatch(/above the total budget/);
  });
});

function modelVersions(app: FastifyInstance): number[] {
  return (
    sqliteOf(app).prepare('SELECT version FROM models ORDER BY version').all() as {
      version: number;
    }[]
  ).map((r) => r.version);
}
