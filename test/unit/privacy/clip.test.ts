import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import {
  clipToNorm,
  finishAggregate,
  gaussianSamples,
  l2Norm,
  nextClipNorm,
  noiseShareStd,
  prepareContribution,
  seededRandom,
  updateNoiseMultiplier,
  type PrivacySettings,
} from '../../../federated/privacy/index.ts';
import { plainSum, runRound, shopIds } from './round-harness.ts';

const seed = (label: string) => new Uint8Array(createHash('sha256').update(label).digest());

describe('clipping', () => {
  it('bounds the norm by C, keeps the direction, and leaves short updates untouched', () => {
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: -1e6, max: 1e6, noNaN: true }), { minLength: 1, maxLength: 50 }),
        fc.double({ min: 1e-3, max: 1e3, noNaN: true }),
        (update, C) => {
          const { clipped, norm, wasClipped } = clipToNorm(update, C);
          expect(l2Norm(clipped)).toBeLessThanOrEqual(C * (1 + 1e-12));
          expect(norm).toBeCloseTo(l2Norm(update), 6);
          if (!wasClipped) expect(Array.from(clipped)).toEqual(update);
          else update.forEach((v, i) => expect(clipped[i]! * v).toBeGreaterThanOrEqual(0));
        },
      ),
      { numRuns: 300, seed: 1 },
    );
    expect(() => clipToNorm([1, Infinity], 1)).toThrow(/not finite/);
  });
});

describe('Gaussian noise shares', () => {
  const D = 20000;
  // Sample-variance check: for D normal draws s²/σ² has standard deviation √(2/D) ≈ 1 %;
  // a 6 % band is six standard deviations, and the seeds are fixed, so this never flakes.
  const variance = (v: Float64Array) => v.reduce((s, x) => s + x * x, 0) / v.length;

  it('t shares sum to the full variance (z·C)², more survivors only add noise', () => {
    const C = 0.5;
    const z = 1.3;
    const t = 5;
    const std = noiseShareStd({ clipNorm: C, noiseMultiplier: z, minSurvivors: t });
    expect(std).toBeCloseTo((z * C) / Math.sqrt(t), 12);
    for (const n of [t, 8]) {
      const total = new Float64Array(D);
      for (let shop = 0; shop < n; shop++) {
        const share = gaussianSamples(D, std, seededRandom(seed(`noise-${n}-${shop}`)));
        share.forEach((x, i) => (total[i]! += x));
      }
      const ratio = variance(total) / ((n / t) * (z * C) ** 2);
      expect(Math.abs(ratio - 1)).toBeLessThan(0.06);
      expect(variance(total)).toBeGreaterThan((z * C) ** 2 * 0.94);
    }
  });

  it('is Gaussian: mean 0, 4.55 % beyond 2σ, kurtosis 3', () => {
    const x = gaussianSamples(D, 2, seededRandom(seed('shape')));
    const mean = x.reduce((s, v) => s + v, 0) / D;
    expect(Math.abs(mean)).toBeLessThan((6 * 2) / Math.sqrt(D));
    const beyond = x.filter((v) => Math.abs(v) > 4).length / D;
    expect(Math.abs(beyond - 0.0455)).toBeLessThan(6 * Math.sqrt((0.0455 * 0.9545) / D));
    const kurtosis = x.reduce((s, v) => s + v ** 4, 0) / D / variance(x) ** 2;
    expect(Math.abs(kurtosis - 3)).toBeLessThan(6 * Math.sqrt(24 / D));
    // Two sources with different seeds do not repeat each other.
    expect(gaussianSamples(4, 1, seededRandom(seed('a')))).not.toEqual(
      gaussianSamples(4, 1, seededRandom(seed('b'))),
    );
  });
});

describe('adaptive clipping (Andrew et al. 2021)', () => {
  it('splits the noise so update and clip bit together cost exactly z', () => {
    const z = 1.1;
    const sigmaB = 5;
    const zUpdate = updateNoiseMultiplier(z, sigmaB);
    expect(zUpdate ** -2 + (2 * sigmaB) ** -2).toBeCloseTo(z ** -2, 12);
    expect(() => updateNoiseMultiplier(3, 1)).toThrow(/2·σ_b > z/);
  });

  it('moves C geometrically toward the target quantile', () => {
    const config = { targetQuantile: 0.5, learningRate: 0.2, bitNoiseMultiplier: 1 };
    expect(nextClipNorm(1, 0.9, config)).toBeCloseTo(Math.exp(-0.2 * 0.4), 12);
    expect(nextClipNorm(1, 0.1, config)).toBeGreaterThan(1);
  });
});

describe('shop pipeline through secure aggregation', () => {
  const settings: PrivacySettings = {
    clipNorm: 1,
    noiseMultiplier: 0,
    minSurvivors: 4,
    maxShops: 50,
    modulusBits: 32,
  };

  it('without noise the unmasked average equals the average of the clipped updates', async () => {
    const ids = shopIds(6);
    const updates = ids.map((_, i) =>
      Array.from({ length: 5 }, (_, j) => Math.sin(i * 7 + j) * (i + 1)),
    );
    const adaptive = {
      ...settings,
      adaptive: { targetQuantile: 0.5, learningRate: 0.2, bitNoiseMultiplier: 1 },
    };
    const contributions = updates.map((u) => prepareContribution(u, adaptive));
    const inputs = Object.fromEntries(ids.map((id, i) => [id, contributions[i]!.encoded]));
    const outcome = await runRound(
      { roundId: 'pipe', threshold: 4, vectorLength: 6, modulusBits: 32 },
      inputs,
      {
        afterShare: [ids[5]!],
      },
    );
    expect(Array.from(outcome.sum!)).toEqual(
      Array.from(
        plainSum(
          ids.slice(0, 5).map((id) => inputs[id]!),
          6,
          32,
        ),
      ),
    );
    const aggregate = finishAggregate(outcome.sum!, 5, 5, adaptive);
    const expected = [0, 1, 2, 3, 4].map(
      (j) => ids.slice(0, 5).reduce((s, _, i) => s + clipToNorm(updates[i]!, 1).clipped[j]!, 0) / 5,
    );
    aggregate.meanUpdate.forEach((v, j) => expect(Math.abs(v - expected[j]!)).toBeLessThan(1e-6));
    const unclipped = contributions.slice(0, 5).filter((c) => !c.wasClipped).length / 5;
    expect(aggregate.unclippedFraction).toBeCloseTo(unclipped, 6);
  });

  it('with noise the error of the average has the calibrated spread', () => {
    const noisy = { ...settings, noiseMultiplier: 2 };
    const D = 4000;
    const n = 4;
    const update = new Float64Array(D).fill(0.001);
    const sum = new Uint32Array(D);
    for (let i = 0; i < n; i++) {
      const c = prepareContribution(update, noisy, seededRandom(seed(`pipe-${i}`)));
      expect(c.clampedValues).toBe(0);
      for (let j = 0; j < D; j++) sum[j] = (sum[j]! + c.encoded[j]!) >>> 0;
    }
    const mean = finishAggregate(sum, n, D, noisy).meanUpdate;
    // Clipping leaves 0.001 per coordinate (norm 0.063 < 1); noise std of the mean = z·C/n.
    const residual = Array.from(mean, (v) => v - 0.001);
    const std = Math.sqrt(residual.reduce((s, e) => s + e * e, 0) / D);
    expect(Math.abs(std / (2 / n) - 1)).toBeLessThan(0.1);
  });
});
