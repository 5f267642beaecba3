/**
 * The active-adversary round carrying the privacy layer's contribution vectors: each shop encodes
 * its clipped update times its capped sample weight, the weight and its figures as extra
 * coordinates, and a discrete Gaussian share sized with the round's own n, T and c — all from
 * the configuration it derived from the signed roster. The coordinator decodes the survivors'
 * weighted mean, and the bound on the sum stops a round carrying an out-of-range input.
 */
import { describe, expect, it } from 'vitest';
import {
  checkSumBound,
  decodeAggregate,
  encodeContribution,
  planContribution,
  seededRandom,
  type ContributionPlan,
} from '../../../federated/privacy/index.ts';
import { roundConfig } from '../../../federated/secagg/round-config.ts';
import { runActiveRound } from '../../../simulation/secagg-round.ts';
import { params, shops } from './active-harness.ts';

const D = 12;
const CLIP = 0.5;

function planFor(n: number, z: number): ContributionPlan {
  const config = roundConfig({ maxShops: n, colluders: null, graph: 'auto' }, n);
  return planContribution(
    {
      clipNorm: CLIP,
      noiseMultiplier: z,
      weighting: 'samples',
      maxSampleWeight: 100,
      metrics: true,
      adaptiveClip: null,
    },
    {
      parameterCount: D,
      rosterSize: config.rosterSize,
      threshold: config.minSurvivors,
      colluders: config.colluders,
      modulusBits: 32,
    },
  );
}

const updateOf = (i: number) => Float32Array.from({ length: D }, (_, j) => 0.1 * Math.cos(i + j));
const samplesOf = (i: number) => 20 + ((i * 53) % 200);

/** What the survivors' weighted mean should be, computed in the clear. */
function expectedMean(survivors: number[]): Float64Array {
  const mean = new Float64Array(D);
  let total = 0;
  for (const i of survivors) {
    const u = updateOf(i);
    const norm = Math.hypot(...u);
    const w = Math.min(samplesOf(i), 100) / 100;
    total += w;
    for (let j = 0; j < D; j++) mean[j]! += w * u[j]! * Math.min(1, CLIP / norm);
  }
  return mean.map((v) => v / total);
}

async function weightedRound(
  n: number,
  z: number,
  malicious?: (plan: ContributionPlan) => Uint32Array,
) {
  const identities = shops(n);
  const ids = identities.map((s) => s.shopId);
  const plan = planFor(n, z);
  const run = await runActiveRound({
    params: params(n, { vectorLength: plan.length }),
    shops: identities,
    inputOf: (id) => {
      const i = ids.indexOf(id);
      if (i === 1 && malicious) return malicious(plan);
      return encodeContribution(
        plan,
        { update: updateOf(i), sampleCount: samplesOf(i), metrics: { wape: 0.2, pinball: 0.05 } },
        seededRandom(new Uint8Array(32).fill(i + 1)),
      ).encoded;
    },
    drops: { afterUpload: ids.filter((_, i) => i % 4 === 3) },
  });
  return { run, ids, plan };
}

describe('sample-weighted secure aggregation over the active round', () => {
  it('publishes the survivors’ exact weighted mean (up to the grid) with 25 % dropping after upload', async () => {
    const { run, ids, plan } = await weightedRound(12, 0);
    expect(run.round.phase, JSON.stringify(run.round.failure)).toBe('done');
    const survivors = run.round.survivors!;
    expect(survivors).toHaveLength(12);
    expect(checkSumBound(plan, run.sum!, survivors.length).ok).toBe(true);
    const decoded = decodeAggregate(plan, run.sum!, survivors.length);
    const want = expectedMean(survivors.map((id) => ids.indexOf(id)));
    // Rounding error: under one grid unit per contribution and coordinate, C/g each.
    const tolerance = (survivors.length * CLIP) / plan.unitsPerClip / decoded.totalWeight;
    for (let j = 0; j < D; j++)
      expect(Math.abs(decoded.meanUpdate[j]! - want[j]!)).toBeLessThan(tolerance);
    const weights = survivors.map((id) => Math.min(samplesOf(ids.indexOf(id)), 100) / 100);
    expect(decoded.totalWeight).toBeCloseTo(
      weights.reduce((a, b) => a + b, 0),
      3,
    );
    expect(decoded.metrics!.wape.value).toBeCloseTo(0.2, 3);
  });

  it('with noise sized for the round’s colluders, the sum passes the bound and the mean stays near', async () => {
    const { run, ids, plan } = await weightedRound(12, 1.1);
    expect(run.round.phase).toBe('done');
    const survivors = run.round.survivors!;
    expect(plan.honestShares).toBe(run.round.config!.minSurvivors - run.round.config!.colluders);
    expect(checkSumBound(plan, run.sum!, survivors.length).ok).toBe(true);
    const decoded = decodeAggregate(plan, run.sum!, survivors.length);
    const want = expectedMean(survivors.map((id) => ids.indexOf(id)));
    // Noise of the sum: √(m·shareVariance) grid units per coordinate; 8 σ covers every coordinate.
    const sigma =
      (Math.sqrt(survivors.length * plan.shareVariance) * CLIP) /
      plan.unitsPerClip /
      decoded.totalWeight;
    for (let j = 0; j < D; j++)
      expect(Math.abs(decoded.meanUpdate[j]! - want[j]!)).toBeLessThan(8 * sigma + 0.05);
  });

  it('a shop uploading values far beyond the clip completes the round, and the bound refuses to publish it', async () => {
    // A quarter of the ring in every coordinate: no honest consortium's sum has that norm.
    const { run, plan } = await weightedRound(12, 1.1, (p) =>
      new Uint32Array(p.length).fill(2 ** 30),
    );
    // Masked, the input is indistinguishable: the round itself completes.
    expect(run.round.phase).toBe('done');
    expect(checkSumBound(plan, run.sum!, run.round.survivors!.length).ok).toBe(false);
  });
});
