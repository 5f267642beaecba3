import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { rdpAccountant } from '../../coordinator/overview/plugin.ts';
import { privacyView } from '../../coordinator/overview/privacy-view.ts';
import { roundDetailView } from '../../coordinator/overview/round-detail.ts';
import { openCoordinatorStore, type CoordinatorStore } from '../../coordinator/store/database.ts';
import { insertModel } from '../../coordinator/store/models.ts';
import { insertRound } from '../../coordinator/store/rounds.ts';
import { putSetting } from '../../coordinator/store/settings.ts';
import { roundSettings, type RoundSettings } from '../../federated/protocol/index.ts';

/**
 * ε of T rounds of the Gaussian mechanism with noise multiplier z, every shop in every round
 * (q = 1), worked out apart from the accountant: RDP T·α/(2z²) at order α (Mironov 2017,
 * Proposition 7), converted to (ε, δ) with Balle et al. 2020, Theorem 21,
 *   ε = min_α T·α/(2z²) + log((α − 1)/α) − (log δ + log α)/(α − 1),
 * over dp_accounting's default orders (1.25 … 4.5, 5 … 63, 128, 256, 512), in Python:
 *   min(T*a/(2*z*z) + log((a-1)/a) - (log(d) + log(a))/(a-1) for a in orders)
 */
const referenceEpsilon = {
  oneRound: 3.5113577899849906, // z = 1.3, T = 1, δ = 1e-5 (best order 7)
  threeRounds: 6.602439288582624, // z = 1.3, T = 3, δ = 1e-5 (best order 4.5)
  fourRoundsSmallDelta: 8.5891178038139, // z = 1.3, T = 4, δ = 1e-6 (best order 4)
};

/**
 * The privacy figures over the coordinator's real schema. Secure-aggregation rounds are written
 * through the store (the secure mode's own tests drive them over HTTP); what is checked here is
 * which rounds count and that the totals are the accountant's.
 */
describe('privacy budget view', () => {
  let db: CoordinatorStore;
  const at = new Date('2026-11-20T01:00:00Z');

  beforeEach(async () => {
    db = await openCoordinatorStore(
      join(mkdtempSync(join(tmpdir(), 'breadcast-privacy-')), 'c.sqlite'),
    );
    await db.transaction((tx) =>
      insertModel(
        tx,
        { weights: new Float32Array(4), roundId: null, parentVersion: null, settings: null },
        at,
      ),
    );
  });
  afterEach(() => db.close());

  async function publishedRound(settings: Partial<RoundSettings>, day: number): Promise<number> {
    const round = await insertRound(
      db,
      { modelVersion: 1, settings: roundSettings.parse(settings), trigger: 'schedule' },
      new Date(at.getTime() + day * 86_400_000),
    );
    await db.run("UPDATE rounds SET phase = 'published', closed_at = opened_at WHERE id = ?", [
      round.id,
    ]);
    return round.id;
  }

  it('composes the noisy secure rounds with the RDP accountant', async () => {
    const ids: number[] = [];
    for (const day of [1, 2, 3])
      ids.push(await publishedRound({ mode: 'secure', noiseMultiplier: 1.3 }, day));
    const view = await privacyView(db, rdpAccountant);
    expect(view.series.map((p) => p.round)).toEqual(ids);
    expect(view.summary.epsilonTotal).toBeCloseTo(referenceEpsilon.threeRounds, 6);
    expect(view.series[0]!.epsilonRound).toBeCloseTo(referenceEpsilon.oneRound, 6);
    // Composition is sublinear but never shrinks.
    expect(view.series[2]!.epsilonTotal).toBeGreaterThan(view.series[1]!.epsilonTotal);
    expect(view.series[2]!.epsilonTotal).toBeLessThan(3 * view.series[0]!.epsilonRound);
    expect((await roundDetailView(db, ids[0]!, rdpAccountant))?.epsilon).toBeCloseTo(
      view.series[0]!.epsilonRound,
      9,
    );
  });

  it('reads delta and the total budget from the settings and says when it is used up', async () => {
    await putSetting(db, 'privacy', { delta: 1e-6, budget: 3 });
    for (const day of [1, 2, 3, 4])
      await publishedRound({ mode: 'secure', noiseMultiplier: 1.3 }, day);
    const { summary } = await privacyView(db, rdpAccountant);
    expect(summary.delta).toBe(1e-6);
    expect(summary.budget).toBe(3);
    expect(summary.epsilonTotal).toBeCloseTo(referenceEpsilon.fourRoundsSmallDelta, 6);
    expect(summary.exhausted).toBe(summary.epsilonTotal! >= 3);
    expect(summary.exhausted).toBe(true);
  });

  it('claims no bound once any published round carried no noise', async () => {
    await publishedRound({ mode: 'secure', noiseMultiplier: 1.3 }, 1);
    await publishedRound({ mode: 'secure', noiseMultiplier: 0 }, 2);
    await publishedRound({ mode: 'plain', noiseMultiplier: 2 }, 3);
    const view = await privacyView(db, rdpAccountant);
    expect(view.summary).toMatchObject({ available: false, roundsWithoutNoise: 2 });
    expect(view.series).toEqual([]);
  });

  it('says it cannot count without an accountant rather than showing zero', async () => {
    await publishedRound({ mode: 'secure', noiseMultiplier: 1.3 }, 1);
    const { summary } = await privacyView(db, undefined);
    expect(summary).toMatchObject({ available: false, roundsCounted: 1, epsilonTotal: null });
  });
});
