import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { budgetRefusal } from '../../coordinator/privacy/budget.ts';
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
 * ε of T rounds of the Gaussian mechanism with noise multiplier z, every shop in every round
 * (q = 1), worked out apart from the accountant: RDP T·α/(2z²) at order α (Mironov 2017,
 * Proposition 7), converted to (ε, δ) with Balle et al. 2020, Theorem 21,
 *   ε = min_α T·α/(2z²) + log((α − 1)/α) − (log δ + log α)/(α − 1),
 * over dp_accounting's default orders (1.25 … 4.5, 5 … 63, 128, 256, 512), in Python:
 *   min(T*a/(2*z*z) + log((a-1)/a) - (log(d) + log(a))/(a-1) for a in orders)
 */
const referenceEpsilon = {
  oneRoundSmallDelta: 3.895121972150665, // z = 1.3, T = 1, δ = 1e-6 (best order 7)
  twoRounds: 5.211308218476627, // z = 1.3, T = 2, δ = 1e-5 (best order 5)
  fourRoundsSmallDelta: 8.5891178038139, // z = 1.3, T = 4, δ = 1e-6 (best order 4)
};

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

  it('composes the noisy secure rounds with the RDP accountant, at the settings’ delta', async () => {
    await saveCoordinatorSettings(db, {
      ...defaultCoordinatorSettings,
      privacy: { delta: 1e-6, budget: 3 },
    });
    const ids: number[] = [];
    for (const day of [1, 2, 3, 4])
      ids.push(await finishedRound({ mode: 'secure', noiseMultiplier: 1.3 }, day));
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
    await finishedRound({ mode: 'secure', noiseMultiplier: 1.3 }, 1);
    await finishedRound({ mode: 'secure', noiseMultiplier: 1.3 }, 2, {
      phase: 'failed',
      phaseState: { sum: 'AAAA', params: { threshold: 3 } },
    });
    await finishedRound({ mode: 'secure', noiseMultiplier: 1.3 }, 3, {
      phase: 'failed',
      phaseState: { params: { threshold: 3 } },
    });
    const view = await privacyView(db);
    expect(view.series.map((p) => p.round)).toEqual([1, 2]);
    expect(view.summary.epsilonTotal).toBeCloseTo(referenceEpsilon.twoRounds, 6);
    expect((await roundDetailView(db, 2))?.privacy).toMatchObject({ released: true, threshold: 3 });
    expect((await roundDetailView(db, 3))?.epsilon).toBeNull();
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
