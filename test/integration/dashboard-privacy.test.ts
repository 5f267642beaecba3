import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { budgetRefusal, chargedRounds } from '../../coordinator/privacy/budget.ts';
import { privacyView } from '../../coordinator/overview/privacy-view.ts';
import { roundDetailView } from '../../coordinator/overview/round-detail.ts';
import { openCoordinatorStore, type CoordinatorStore } from '../../coordinator/store/database.ts';
import { insertModel } from '../../coordinator/store/models.ts';
import { insertRound } from '../../coordinator/store/rounds.ts';
import {
  defaultCoordinatorSettings,
  saveCoordinatorSettings,
} from '../../coordinator/store/settings.ts';
import { roundSettings, type RoundSettings } from '../../federated/protocol/index.ts';

/**
 * ε of the coordinator's budget on the distributed discrete Gaussian accountant, worked out apart
 * from the code in Python (no dp_accounting here), as the bound the code claims to implement:
 * the round's plan rebuilt from what it recorded (n = 4, T = 3, c = 1, 1,000 parameters plus
 * weight and three figures (shares 0.3, 0.2 each: Δ = 1.1·C), a 32-bit ring: grid g = 2²⁶ units
 * per C, rounded sensitivity Δ̃ ≈ 1.1·g (conditional rounding, β = e^−½), honest share variance
 * σ² = (zΔ̃)²/(T − c) ≈ 4.6·10¹⁵), τ = 10·Σ_{k<4} exp(−2π²σ²k/(k+1)) = 0 in double precision,
 * RDP(α) = min(α/(2z²) + τd, (α/2)(1/z + √d·τ)²) (Kairouz, Liu, Steinke 2021, Theorem 1 /
 * Proposition 14), summed over rounds and converted with Balle et al. 2020, Theorem 21,
 *   ε = min_α RDP(α) + log((α − 1)/α) − (log δ + log α)/(α − 1),
 * over dp_accounting's default orders (1.25 … 4.5, 5 … 63, 128, 256, 512). Since τ = 0 these
 * equal the continuous Gaussian's α/(2z²) (Mironov 2017), which is also the Rényi DP of a single
 * discrete Gaussian (Canonne, Kamath, Steinke 2020): the charge of a round that recorded no plan.
 */
const referenceEpsilon = {
  oneRoundSmallDelta: 3.895121972150664, // z = 1.3, T = 1, δ = 1e-6 (best order 7)
  twoRounds: 5.211308218476627, // z = 1.3, T = 2, δ = 1e-5 (best order 5)
  fourRoundsSmallDelta: 8.5891178038139, // z = 1.3, T = 4, δ = 1e-6 (best order 4)
  twoPlannedOneUnplanned: 5.833578341837062, // z = 1.3 twice (plans), z = 2 once (no plan), δ = 1e-5
};

/** The secure round's header (coordinator/secagg/state.ts), as far as the plan and views read it. */
const config = {
  rosterSize: 4,
  colluders: 1,
  minSurvivors: 3,
  graph: 'complete',
  neighbours: 3,
  threshold: 3,
};
const recorded = (extra: object = {}) => ({
  version: 2,
  // 1,000 parameters plus the weight and the three figures a secure round carries.
  params: {
    roundId: 'r',
    vectorLength: 1004,
    modulusBits: 32,
    maxShops: 4,
    colluders: null,
    graph: 'auto',
  },
  config,
  ...extra,
});

/**
 * The privacy figures over the coordinator's real schema. Rounds are written through the store
 * (the modes' own tests drive them over HTTP); what is checked here is which rounds are charged
 * — every one that released an aggregate — and that the totals are the accountant's, read with
 * the delta and budget of the one settings object.
 */
describe('privacy budget view and budget stop', () => {
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

  async function finishedRound(
    settings: Partial<RoundSettings>,
    day: number,
    end: { phase: 'published' | 'failed'; phaseState?: unknown; plainUpdate?: boolean } = {
      phase: 'published',
    },
  ): Promise<number> {
    const round = await insertRound(
      db,
      { modelVersion: 1, settings: roundSettings.parse(settings), trigger: 'schedule' },
      new Date(at.getTime() + day * 86_400_000),
    );
    await db.run(
      'UPDATE rounds SET phase = ?, closed_at = opened_at, phase_state = ? WHERE id = ?',
      [end.phase, end.phaseState === undefined ? null : JSON.stringify(end.phaseState), round.id],
    );
    if (end.plainUpdate) {
      await db.run(
        "INSERT INTO shops (id, name, app_version, enrolled_at) VALUES ('s1', 'S', '1', ?) ON CONFLICT (id) DO NOTHING",
        [at.toISOString()],
      );
      await db.run(
        `INSERT INTO updates (round_id, shop_id, payload_sha256, sample_count, weight, norm, bytes, delta, received_at)
         VALUES (?, 's1', 'x', 1, 1, 0.1, 4, NULL, ?)`,
        [round.id, at.toISOString()],
      );
    }
    return round.id;
  }

  it('composes the noisy secure rounds on the discrete Gaussian accountant, at the settings’ delta', async () => {
    await saveCoordinatorSettings(db, {
      ...defaultCoordinatorSettings,
      privacy: { delta: 1e-6, budget: 3 },
    });
    const ids: number[] = [];
    for (const day of [1, 2, 3, 4])
      ids.push(
        await finishedRound({ mode: 'secure', noiseMultiplier: 1.3 }, day, {
          phase: 'published',
          phaseState: recorded(),
        }),
      );
    // Each round is charged at the plan it ran with: its noise over Δ̃, τ and 1,000 coordinates.
    for (const round of await chargedRounds(db)) {
      expect(round.charge.noiseMultiplier).toBeCloseTo(1.3, 12);
      expect(round.charge).toMatchObject({ tau: 0, dimension: 1004 });
    }
    const view = await privacyView(db);
    expect(view.series.map((p) => p.round)).toEqual(ids);
    expect(view.summary).toMatchObject({ available: true, delta: 1e-6, budget: 3 });
    expect(view.summary.epsilonTotal).toBeCloseTo(referenceEpsilon.fourRoundsSmallDelta, 6);
    expect(view.series[0]!.epsilonRound).toBeCloseTo(referenceEpsilon.oneRoundSmallDelta, 6);
    expect(view.series[2]!.epsilonTotal).toBeGreaterThan(view.series[1]!.epsilonTotal);
    expect(view.series[2]!.epsilonTotal).toBeLessThan(3 * view.series[0]!.epsilonRound);
    expect(view.summary.exhausted).toBe(true);
    expect((await roundDetailView(db, ids[0]!))?.epsilon).toBeCloseTo(
      view.series[0]!.epsilonRound,
      9,
    );
    // Used up: the next round may not open.
    expect(
      await budgetRefusal(db, { mode: 'secure', noiseMultiplier: 1.3 }, { delta: 1e-6, budget: 3 }),
    ).toMatch(/above the total budget of 3/);
  });

  it('charges a round that failed after its aggregate was seen, and not one that failed before', async () => {
    await finishedRound({ mode: 'secure', noiseMultiplier: 1.3 }, 1, {
      phase: 'published',
      phaseState: recorded(),
    });
    await finishedRound({ mode: 'secure', noiseMultiplier: 1.3 }, 2, {
      phase: 'failed',
      phaseState: recorded({ survivors: ['a', 'b', 'c'], sum: 'AAAA' }),
    });
    await finishedRound({ mode: 'secure', noiseMultiplier: 1.3 }, 3, {
      phase: 'failed',
      phaseState: recorded(),
    });
    const view = await privacyView(db);
    expect(view.series.map((p) => p.round)).toEqual([1, 2]);
    expect(view.summary.epsilonTotal).toBeCloseTo(referenceEpsilon.twoRounds, 6);
    expect((await roundDetailView(db, 2))?.privacy).toMatchObject({
      released: true,
      threshold: 3,
      summed: 3,
      configuration: config,
    });
    expect((await roundDetailView(db, 3))?.epsilon).toBeNull();
  });

  it('charges a noised round that recorded no plan as one discrete Gaussian of its multiplier', async () => {
    for (const day of [1, 2])
      await finishedRound({ mode: 'secure', noiseMultiplier: 1.3 }, day, {
        phase: 'published',
        phaseState: recorded(),
      });
    await finishedRound({ mode: 'secure', noiseMultiplier: 2 }, 3);
    expect((await chargedRounds(db)).map((round) => round.charge.dimension)).toEqual([
      1004, 1004, 1,
    ]);
    const view = await privacyView(db);
    expect(view.summary.epsilonTotal).toBeCloseTo(referenceEpsilon.twoPlannedOneUnplanned, 6);
    expect((await roundDetailView(db, 1))?.privacy).toMatchObject({ threshold: 3, colluders: 1 });
    expect((await roundDetailView(db, 3))?.privacy).toMatchObject({ colluders: null });
  });

  it('claims no bound once any charged round carried no noise, plain rounds included; a failed plain round that received an update counts', async () => {
    await finishedRound({ mode: 'secure', noiseMultiplier: 1.3 }, 1);
    await finishedRound({ mode: 'plain', noiseMultiplier: 2 }, 2, {
      phase: 'failed',
      plainUpdate: true,
    });
    const view = await privacyView(db);
    expect(view.summary).toMatchObject({
      available: false,
      roundsCounted: 2,
      roundsWithoutNoise: 1,
      epsilonTotal: null,
    });
    expect(view.series).toEqual([]);
    expect((await roundDetailView(db, 2))?.privacy).toMatchObject({
      mode: 'plain',
      noiseMultiplier: 0,
      released: true,
      summed: 1,
    });
    // With a budget set, no round may open from here on: the loss so far has no bound.
    expect(
      await budgetRefusal(
        db,
        { mode: 'secure', noiseMultiplier: 5 },
        { delta: 1e-5, budget: 1000 },
      ),
    ).toMatch(/round 2 released an aggregate without noise/);
  });

  it('refuses a round without noise while a budget is set, and allows it without one', async () => {
    const budget = { delta: 1e-5, budget: 50 };
    expect(await budgetRefusal(db, { mode: 'plain', noiseMultiplier: 1.1 }, budget)).toMatch(
      /plain round adds no noise/,
    );
    expect(await budgetRefusal(db, { mode: 'secure', noiseMultiplier: 0 }, budget)).toMatch(
      /noise multiplier is 0/,
    );
    expect(await budgetRefusal(db, { mode: 'secure', noiseMultiplier: 1.1 }, budget)).toBeNull();
    expect(
      await budgetRefusal(db, { mode: 'plain', noiseMultiplier: 0 }, { delta: 1e-5, budget: null }),
    ).toBeNull();
  });
});
