import fc from 'fast-check';
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  clipToNorm,
  conditionalRound,
  decodeAggregate,
  encodeContribution,
  fromRing,
  l2Norm,
  NOISE_HEADROOM_SIGMAS,
  planContribution,
  RandomBits,
  roundedNormBound,
  roundPrivacy,
  seededRandom,
  type ContributionSettings,
  type RoundShape,
} from '../../../federated/privacy/index.ts';
import { plainSum, runRound, shopIds } from './round-harness.ts';

const seed = (label: string) => new Uint8Array(createHash('sha256').update(label).digest());
const random = (label: string) => seededRandom(seed(label));

const settings = (over: Partial<ContributionSettings> = {}): ContributionSettings => ({
  clipNorm: 1,
  noiseMultiplier: 0,
  weighting: 'samples',
  maxSampleWeight: 200,
  metrics: true,
  adaptiveClip: null,
  ...over,
});
const shape = (n: number, d: number, over: Partial<RoundShape> = {}): RoundShape => ({
  parameterCount: d,
  rosterSize: n,
  threshold: Math.floor((2 * n) / 3) + 1,
  colluders: Math.floor(n / 3),
  modulusBits: 32,
  ...over,
});

function ringSum(vectors: Uint32Array[], length: number): Uint32Array {
  return plainSum(vectors, length, 32);
}

describe('conditional randomized rounding', () => {
  it('never exceeds its norm bound and is unbiased', () => {
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: -50, max: 50, noNaN: true }), { minLength: 1, maxLength: 40 }),
        fc.integer({ min: 0, max: 1000 }),
        (values, label) => {
          const x = Float64Array.from(values);
          const bound = roundedNormBound(l2Norm(x), x.length);
          const { rounded } = conditionalRound(x, bound, new RandomBits(random(`r-${label}`)));
          expect(l2Norm(rounded)).toBeLessThanOrEqual(bound);
          rounded.forEach((v, i) => {
            expect(Number.isInteger(v)).toBe(true);
            expect(Math.abs(v - x[i]!)).toBeLessThan(1);
          });
        },
      ),
      { numRuns: 200, seed: 5 },
    );
    const x = Float64Array.from({ length: 50 }, (_, i) => i / 7 - 3.3);
    const mean = new Float64Array(50);
    const trials = 4000;
    const bits = new RandomBits(random('unbiased'));
    for (let k = 0; k < trials; k++) {
      const { rounded } = conditionalRound(x, roundedNormBound(l2Norm(x), 50), bits);
      rounded.forEach((v, i) => (mean[i]! += v / trials));
    }
    // Each coordinate's rounding has variance ≤ ¼: six standard errors.
    mean.forEach((m, i) => expect(Math.abs(m - x[i]!)).toBeLessThan((6 * 0.5) / Math.sqrt(trials)));
  });

  it('agrees with the reference bound (google-research distributed_dp)', () => {
    // rounded_l2_norm_bound(1000, e^-0.5, 1797), (10, e^-0.5, 100000), (5, 0, 9).
    expect(roundedNormBound(1000, 1797)).toBeCloseTo(1000.7349526814751, 9);
    expect(roundedNormBound(10, 100_000)).toBeCloseTo(158.95947245448576, 9);
    expect(roundedNormBound(5, 9, 0)).toBe(8);
  });
});

describe('round plan: ring headroom for n summands', () => {
  it('fits n worst-case contributions plus 10σ of noise, with the finest power-of-two grid', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 20_000 }),
        fc.integer({ min: 1, max: 200_000 }),
        fc.double({ min: 0, max: 5, noNaN: true }),
        fc.boolean(),
        (n, d, z, adaptive) => {
          const s = settings({
            noiseMultiplier: z,
            adaptiveClip: adaptive ? { targetQuantile: 0.5, learningRate: 0.2 } : null,
          });
          const plan = planContribution(s, shape(n, d));
          const g = plan.unitsPerClip;
          const spread = (g: number) =>
            NOISE_HEADROOM_SIGMAS *
            z *
            roundedNormBound(g * Math.sqrt(1 + 0.09 + 0.12 + (adaptive ? 0.09 : 0)), plan.length) *
            Math.sqrt(n / plan.honestShares);
          expect(n * (g + 1) + spread(g)).toBeLessThanOrEqual(2 ** 31 - 1);
          if (g < 2 ** 31) expect(n * (2 * g + 1) + spread(2 * g)).toBeGreaterThan(2 ** 31 - 1);
          expect(plan.length).toBe(d + 4 + (adaptive ? 1 : 0));
          // The honest shares carry exactly the target noise z·Δ̃.
          expect(plan.honestShares * plan.shareVariance).toBeCloseTo(
            (z * plan.sensitivity) ** 2,
            6,
          );
          expect(roundPrivacy(plan).noiseMultiplier).toBeCloseTo(z, 9);
        },
      ),
      { numRuns: 300, seed: 7 },
    );
  });

  it('reads back any in-bound sum exactly: m ≤ n contributions of ≤ g + 1 units plus noise within 10σ', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 10_000 }),
        fc.double({ min: 0, max: 3, noNaN: true }),
        fc.integer({ min: 0, max: 2 ** 30 }),
        (n, z, pick) => {
          const plan = planContribution(settings({ noiseMultiplier: z }), shape(n, 2));
          const m = 1 + (pick % n);
          const g = plan.unitsPerClip;
          const noiseBound = Math.floor(NOISE_HEADROOM_SIGMAS * Math.sqrt(m * plan.shareVariance));
          // Extremes and a mixed sum: every contribution at ±(g + 1), the noise at ±10σ.
          for (const sign of [1, -1]) {
            const exact = sign * (m * (g + 1) + noiseBound);
            const words = new Uint32Array(plan.length);
            const one = new Float64Array(plan.length).fill(sign * (g + 1));
            const ring = (v: number) => v - Math.floor(v / 2 ** 32) * 2 ** 32;
            for (let i = 0; i < plan.length; i++)
              words[i] = (ring(one[i]!) * m + ring(sign * noiseBound)) % 2 ** 32;
            expect(fromRing(words, 32)[0]).toBe(exact);
          }
        },
      ),
      { numRuns: 300, seed: 9 },
    );
  });

  it('works past 255 shops and up to 10,000 with a usable grid, and refuses t − c < 1', () => {
    const big = planContribution(settings({ noiseMultiplier: 1 }), shape(10_000, 100_000));
    expect(big.unitsPerClip).toBeGreaterThanOrEqual(2 ** 17);
    expect(big.honestShares).toBe(6667 - 3333);
    expect(() =>
      planContribution(settings(), shape(10, 5, { threshold: 3, colluders: 3 })),
    ).toThrow(/t − c ≥ 1/);
    expect(() => planContribution(settings(), shape(200, 5, { modulusBits: 8 }))).toThrow(
      /no room/,
    );
  });
});

describe('encode → secure sum → decode', () => {
  const updates = (m: number, d: number, label: string) =>
    Array.from({ length: m }, (_, i) =>
      Array.from({ length: d }, (_, j) => Math.sin(i * 7.3 + j * 1.1 + label.length) * (1 + i / 3)),
    );

  it('never divides by a total weight drowned in its noise: the step stays within the clip over 3σ', () => {
    // Five small bakeries (weights far below the cap) whose noised total came out near zero.
    const plan = planContribution(
      settings({ noiseMultiplier: 1.1, maxSampleWeight: 10_000 }),
      shape(5, 4),
    );
    const sum = new Uint32Array(plan.length);
    // One clip's worth in the first coordinate, the weight coordinate at zero.
    sum[0] = Math.round(plan.unitsPerClip);
    const decoded = decodeAggregate(plan, sum, 5);
    const sigma = decoded.totalWeightNoiseStd;
    expect(sigma).toBeGreaterThan(0);
    expect(decoded.totalWeight).toBeCloseTo(Math.min(5, 3 * sigma), 9);
    expect(Math.abs(decoded.meanUpdate[0]!)).toBeLessThanOrEqual(1 / Math.min(5, 3 * sigma) + 1e-9);
  });

  it('without noise: the weighted mean, total weight and figures within the rounding bound', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 300 }),
        fc.integer({ min: 1, max: 12 }),
        fc.array(fc.integer({ min: 0, max: 500 }), { minLength: 1, maxLength: 300 }),
        fc.constantFrom<'samples' | 'equal'>('samples', 'equal'),
        (n, d, counts, weighting) => {
          const m = Math.min(n, counts.length);
          const s = settings({ weighting });
          const plan = planContribution(s, shape(n, d));
          const us = updates(m, d, `${n}`);
          const encoded = us.map((update, i) =>
            encodeContribution(
              plan,
              {
                update,
                sampleCount: counts[i]!,
                metrics: i % 3 === 2 ? null : { wape: 0.1 * (i % 25), pinball: 0.05 * (i % 9) },
              },
              random(`enc-${n}-${i}`),
            ),
          );
          const out = decodeAggregate(
            plan,
            ringSum(
              encoded.map((e) => e.encoded),
              plan.length,
            ),
            m,
          );
          const weights = encoded.map((e) => e.weight);
          const total = weights.reduce((a, b) => a + b, 0);
          // Each coordinate of each contribution is off by < 1 grid unit: m units in the sum.
          const unit = s.clipNorm / plan.unitsPerClip;
          if (weighting === 'samples') {
            expect(Math.abs(out.totalWeight - total)).toBeLessThanOrEqual(
              m / (plan.unitsPerClip * 0.3) + 1e-12,
            );
          } else expect(out.totalWeight).toBe(m);
          for (let j = 0; j < d; j++) {
            const exact = us.reduce(
              (acc, u, i) => acc + clipToNorm(u, 1).clipped[j]! * weights[i]!,
              0,
            );
            const bound =
              (m * unit) / out.totalWeight +
              Math.abs(exact) * Math.abs(1 / out.totalWeight - 1 / total);
            expect(Math.abs(out.meanUpdate[j]! - exact / total)).toBeLessThanOrEqual(
              bound * (1 + 1e-9) + 1e-12,
            );
          }
          const reporting = us.filter((_, i) => i % 3 !== 2).length;
          if (reporting === 0) expect(out.metrics).toBeNull();
          else {
            const wape =
              us.reduce((a, _, i) => a + (i % 3 === 2 ? 0 : Math.min(1, 0.1 * (i % 25))), 0) /
              reporting;
            expect(Math.abs(out.metrics!.reporting.value - reporting)).toBeLessThan(
              m / (plan.unitsPerClip * 0.2) + 1e-9,
            );
            expect(Math.abs(out.metrics!.wape.value - wape)).toBeLessThan(0.001);
            expect(out.metrics!.wape.noiseStd).toBe(0);
          }
        },
      ),
      { numRuns: 60, seed: 8 },
    );
  });

  it('the sum never wraps: 300 shops at the clip norm with extreme weights and figures', () => {
    const n = 300;
    const d = 6;
    const plan = planContribution(settings({ maxSampleWeight: 10 }), shape(n, d));
    for (const sign of [1, -1]) {
      const update = Array.from({ length: d }, (_, j) => (j === 0 ? sign * 5 : 0));
      const encoded = Array.from(
        { length: n },
        (_, i) =>
          encodeContribution(
            plan,
            { update, sampleCount: 10, metrics: { wape: 9, pinball: 9 } },
            random(`wrap-${sign}-${i}`),
          ).encoded,
      );
      const out = decodeAggregate(plan, ringSum(encoded, plan.length), n);
      expect(out.totalWeight).toBeCloseTo(n, 3);
      expect(out.meanUpdate[0]).toBeCloseTo(sign, 4);
      expect(out.metrics!.wape.value).toBeCloseTo(1, 3);
      expect(out.metrics!.pinball.value).toBeCloseTo(0.5, 3);
    }
  });

  it('with noise: the honest survivors alone carry variance (z·Δ̃)², all survivors m/(t − c) times it', () => {
    const n = 20;
    const d = 3000;
    const z = 0.8;
    const plan = planContribution(
      settings({ noiseMultiplier: z, weighting: 'equal', metrics: false }),
      shape(n, d),
    );
    expect(plan.honestShares).toBe(14 - 6);
    const zero = new Float64Array(d);
    const shares = Array.from(
      { length: n },
      (_, i) =>
        encodeContribution(plan, { update: zero, sampleCount: 1 }, random(`noise-${i}`)).encoded,
    );
    const variance = (vectors: Uint32Array[]) => {
      const sum = ringSum(vectors, d);
      let v = 0;
      for (const w of sum) {
        const x = w >= 2 ** 31 ? w - 2 ** 32 : w;
        v += x * x;
      }
      return v / d;
    };
    const target = (z * plan.sensitivity) ** 2;
    // Sample variance over d draws: relative standard error √(2/d) ≈ 2.6 %; six of them.
    const honest = variance(shares.slice(0, plan.honestShares));
    expect(Math.abs(honest / target - 1)).toBeLessThan(6 * Math.sqrt(2 / d));
    const all = variance(shares);
    expect(Math.abs(all / ((n / plan.honestShares) * target) - 1)).toBeLessThan(
      6 * Math.sqrt(2 / d),
    );
    // What the coordinator decodes: noise of the mean update = z·Δ̃·√(m/(t − c))·C/(g·m).
    const out = decodeAggregate(plan, ringSum(shares, d), n);
    const std = Math.sqrt(out.meanUpdate.reduce((s, v) => s + v * v, 0) / d);
    const expected = (Math.sqrt(n * plan.shareVariance) * 1) / plan.unitsPerClip / n;
    expect(Math.abs(std / expected - 1)).toBeLessThan(6 * Math.sqrt(1 / (2 * d)));
  });

  it('runs through a SecAgg round with a dropout: adaptive clipping sees the unclipped share', async () => {
    const ids = shopIds(6);
    const d = 5;
    const plan = planContribution(
      settings({
        weighting: 'equal',
        metrics: false,
        adaptiveClip: { targetQuantile: 0.5, learningRate: 0.2 },
      }),
      shape(6, d, { threshold: 5, colluders: 2 }),
    );
    const us = ids.map((_, i) =>
      Array.from({ length: d }, (_, j) => Math.sin(i * 7 + j) * (i + 1) * 0.3),
    );
    const contributions = us.map((update, i) =>
      encodeContribution(plan, { update, sampleCount: 1 }, random(`secagg-${i}`)),
    );
    const inputs = Object.fromEntries(ids.map((id, i) => [id, contributions[i]!.encoded]));
    const outcome = await runRound(
      { roundId: 'pipe', vectorLength: plan.length, colluders: 2 },
      inputs,
      {
        afterShare: [ids[5]!],
      },
    );
    const out = decodeAggregate(plan, outcome.sum!, 5);
    for (let j = 0; j < d; j++) {
      const exact = us.slice(0, 5).reduce((a, u) => a + clipToNorm(u, 1).clipped[j]!, 0) / 5;
      expect(Math.abs(out.meanUpdate[j]! - exact)).toBeLessThan(1e-6);
    }
    const unclipped = contributions.slice(0, 5).filter((c) => !c.wasClipped).length / 5;
    expect(out.unclippedFraction).toBeCloseTo(unclipped, 6);
    expect(out.nextClipNorm).toBeCloseTo(Math.exp(-0.2 * (unclipped - 0.5)), 6);
  });
});
