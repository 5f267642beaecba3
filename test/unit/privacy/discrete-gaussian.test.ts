import fc from 'fast-check';
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  discreteGaussianSamples,
  RandomBits,
  seededRandom,
} from '../../../federated/privacy/index.ts';
import {
  certifiedBelowExpNeg,
  expBounds,
  exactBelowExpNeg,
  rationalOf,
} from '../../../federated/privacy/exact-exp.ts';

const seed = (label: string) => new Uint8Array(createHash('sha256').update(label).digest());

/** The exact probability mass of N_Z(0, σ²), summed directly (independent of the sampler). */
function pmf(variance: number): Map<number, number> {
  const reach = Math.ceil(40 * Math.sqrt(variance)) + 40;
  const weights = new Map<number, number>();
  let total = 0;
  for (let y = -reach; y <= reach; y++) {
    const w = Math.exp((-y * y) / (2 * variance));
    weights.set(y, w);
    total += w;
  }
  for (const [y, w] of weights) weights.set(y, w / total);
  return weights;
}

/** E Y² and E Y⁴; beyond σ² = 100 they equal σ² and 3σ⁴ to within e^(−2π²·100) (Poisson summation). */
function moments(variance: number) {
  if (variance > 100) return { second: variance, fourth: 3 * variance ** 2 };
  let second = 0;
  let fourth = 0;
  for (const [y, p] of pmf(variance)) {
    second += p * y * y;
    fourth += p * y ** 4;
  }
  return { second, fourth };
}

describe('discrete Gaussian sampler (Canonne, Kamath, Steinke)', () => {
  it('matches the exact distribution for small σ² (chi-square over the support)', () => {
    for (const variance of [0.3, 1, 2.5, 9]) {
      const n = 40_000;
      const draws = discreteGaussianSamples(n, variance, seededRandom(seed(`chi-${variance}`)));
      const counts = new Map<number, number>();
      for (const y of draws) counts.set(y, (counts.get(y) ?? 0) + 1);
      // Cells with an expected count ≥ 20, the rest pooled: a chi-square with k − 1 degrees.
      let chi = 0;
      let cells = 0;
      let pooledExpected = 0;
      let pooledSeen = 0;
      for (const [y, p] of pmf(variance)) {
        const seen = counts.get(y) ?? 0;
        if (n * p >= 20) {
          chi += (seen - n * p) ** 2 / (n * p);
          cells++;
        } else {
          pooledExpected += n * p;
          pooledSeen += seen;
        }
      }
      chi += (pooledSeen - pooledExpected) ** 2 / Math.max(pooledExpected, 1e-9);
      cells++;
      // Mean k − 1, standard deviation √(2(k − 1)): seven standard deviations never flake.
      expect(chi).toBeLessThan(cells - 1 + 7 * Math.sqrt(2 * (cells - 1)));
    }
  });

  it('has the exact variance, kurtosis and tails for large σ², and mean 0', () => {
    for (const variance of [137.5, 4.2e6, 3.3e13]) {
      const n = 60_000;
      const x = discreteGaussianSamples(n, variance, seededRandom(seed(`moments-${variance}`)));
      const exact = moments(variance);
      const sd = Math.sqrt(exact.second);
      const mean = x.reduce((s, v) => s + v, 0) / n;
      expect(Math.abs(mean)).toBeLessThan((6 * sd) / Math.sqrt(n));
      const second = x.reduce((s, v) => s + v * v, 0) / n;
      // Var(Y²) = E Y⁴ − (E Y²)²; six standard errors.
      const seSecond = Math.sqrt((exact.fourth - exact.second ** 2) / n);
      expect(Math.abs(second - exact.second)).toBeLessThan(6 * seSecond);
      const kurtosis = x.reduce((s, v) => s + v ** 4, 0) / n / second ** 2;
      expect(Math.abs(kurtosis - 3)).toBeLessThan(6 * Math.sqrt(24 / n));
      for (const k of [2, 3]) {
        const beyond = x.filter((v) => Math.abs(v) > k * sd).length / n;
        const p = k === 2 ? 0.0455 : 0.0027;
        expect(Math.abs(beyond - p)).toBeLessThan(6 * Math.sqrt((p * (1 - p)) / n) + 1e-4);
      }
      expect(x.every((v) => Number.isInteger(v))).toBe(true);
    }
  });

  it('draws the same integers whether the float band, the logarithm or BigInt decides', () => {
    // 3e10: the share variance of a 500-shop round at the default noise, the product's size.
    for (const variance of [0.7, 52.25, 1.7e9, 2.98e10]) {
      const fast = discreteGaussianSamples(5000, variance, seededRandom(seed(`paths-${variance}`)));
      const exact = discreteGaussianSamples(
        5000,
        variance,
        seededRandom(seed(`paths-${variance}`)),
        { certify: false },
      );
      expect(Array.from(fast)).toEqual(Array.from(exact));
    }
  });

  it('differs between seeds and returns zeros for variance 0', () => {
    expect(discreteGaussianSamples(8, 100, seededRandom(seed('a')))).not.toEqual(
      discreteGaussianSamples(8, 100, seededRandom(seed('b'))),
    );
    expect(Array.from(discreteGaussianSamples(3, 0, seededRandom(seed('a'))))).toEqual([0, 0, 0]);
    expect(() => discreteGaussianSamples(3, -1, seededRandom(seed('a')))).toThrow(/variance/);
  });
});

describe('exact e^(−x) decisions', () => {
  it('brackets e^x tightly in fixed point', () => {
    fc.assert(
      fc.property(fc.double({ min: 0, max: 60, noNaN: true }), (x) => {
        const { lo, hi } = expBounds(rationalOf(x), 128);
        const scale = 2 ** 128;
        const value = Math.exp(x);
        expect(Number(lo) / scale).toBeLessThanOrEqual(value * (1 + 1e-12));
        expect(Number(hi) / scale).toBeGreaterThanOrEqual(value * (1 - 1e-12));
        expect(Number(hi - lo) / Number(hi)).toBeLessThan(2 ** -100);
      }),
      { numRuns: 200, seed: 3 },
    );
  });

  it('the float band always contains the exact value it certifies', () => {
    // For V's 53-bit interval placed just outside the band, BigInt must agree with the band.
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 10_000_000 }),
        fc.integer({ min: 0, max: 50_000_000 }),
        (t, k) => {
          const xHat = k / t;
          if (xHat > 700) return;
          const eHat = Math.exp(-xHat);
          const exact = { p: BigInt(k), q: BigInt(t) };
          const bits = new RandomBits(seededRandom(seed(`band-${t}-${k}`)));
          const band = 2 ** -32 * (1 + xHat);
          for (const [target, expected] of [
            [eHat * (1 - band), 1],
            [eHat * (1 + band), 0],
          ] as const) {
            const top =
              expected === 1 ? Math.floor(target * 2 ** 53) - 1 : Math.ceil(target * 2 ** 53);
            if (top < 0 || top >= 2 ** 53) continue;
            expect(certifiedBelowExpNeg(top, xHat, eHat)).toBe(expected);
            const u = { top, extra: 0n, extraBits: 0 };
            expect(exactBelowExpNeg(u, exact, bits)).toBe(expected === 1);
          }
        },
      ),
      { numRuns: 300, seed: 4 },
    );
  });
});
