import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { loadCoordinatorSettings } from '../../coordinator/store/settings.ts';
import type { Db } from '../../electron/store/database.ts';
import { operatorSession, startCoordinator, tempDir } from './coordinator-harness.ts';
import { anyRoundPolicy, phaseDeadlines } from '../support/shops.ts';
import { enrolShops, runSecureRound } from './secagg-harness.ts';

const settings = {
  mode: 'secure' as const,
  clipNorm: 0.1,
  minShops: 2,
  secaggThreshold: 3,
  weighting: 'equal' as const,
  serverOptimizer: { kind: 'fedavg' as const, learningRate: 1 },
  deadlines: phaseDeadlines(3600),
  noiseMultiplier: 0,
};

describe('adaptive clipping in secure rounds', () => {
  const dir = tempDir('breadcast-adaptive-clip-');
  let app: FastifyInstance;
  const opened: Db[] = [];
  afterAll(async () => {
    await app?.close();
    for (const db of opened) db.close();
  });

  it('moves the stored clip norm down when every shop fits under C, up when none does, and not at all when off', async () => {
    const started = await startCoordinator(join(dir, 'coordinator.db'), 0, {});
    app = started.app;
    const operator = await operatorSession(app, started.url);
    // Every shop's update has exactly this L2 norm (one non-zero coordinate).
    let norm = 0;
    const shops = await enrolShops(
      started.url,
      dir,
      operator,
      [0, 1, 2, 3].map(() => (global: Float32Array) => {
        const delta = new Float32Array(global.length);
        delta[0] = norm;
        return delta;
      }),
      undefined,
      'shop',
      anyRoundPolicy,
    );
    shops.forEach((s) => opened.push(s.db));
    const put = async (round: Record<string, unknown>) =>
      expect(
        (await operator.call('PUT', '/v1/operator/settings', { schedule: null, round })).status,
      ).toBe(200);
    const clipNorm = async () =>
      (await loadCoordinatorSettings(app.coordinator.store)).round.clipNorm;
    const publish = async () => {
      const { round } = await runSecureRound(() => app, operator, shops, new Set(), null);
      expect(round.phase, JSON.stringify(round)).toBe('published');
      return round;
    };
    const adaptiveClip = { targetQuantile: 0.5, learningRate: 0.2 };

    // All four under C: the unclipped fraction is 1, so C ← C·exp(−0.2·(1 − 0.5)).
    await put({ ...settings, adaptiveClip });
    norm = 0.05;
    const down = await publish();
    expect((down.settings as { clipNorm: number }).clipNorm).toBe(0.1);
    const lowered = await clipNorm();
    expect(lowered).toBeCloseTo(0.1 * Math.exp(-0.1), 6);

    // All four over the (new) C: fraction 0, C ← C·exp(0.1). The round starts from the stored C.
    norm = 1;
    const up = await publish();
    expect((up.settings as { clipNorm: number }).clipNorm).toBe(lowered);
    expect(await clipNorm()).toBeCloseTo(lowered * Math.exp(0.1), 6);
    expect(await clipNorm()).toBeGreaterThan(lowered);

    const moves = (
      await app.coordinator.store.all<{ detail: string }>(
        "SELECT detail FROM events WHERE kind = 'round.clip-norm'",
      )
    ).map((row) => JSON.parse(row.detail) as { round: number; from: number; to: number });
    expect(moves.map((m) => [m.round, m.from])).toEqual([
      [down.id, 0.1],
      [up.id, lowered],
    ]);

    // Off: the same over-C updates leave C where the operator put it.
    await put({ ...settings, adaptiveClip: null });
    await publish();
    expect(await clipNorm()).toBe(0.1);

    // With noise on, the round still publishes and C still moves (the bit carries noise σ_b = 1).
    await put({ ...settings, noiseMultiplier: 0.5, adaptiveClip });
    await publish();
    expect(await clipNorm()).not.toBe(0.1);
  });
});
