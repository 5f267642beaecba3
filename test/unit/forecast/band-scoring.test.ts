import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BandTally, meanPinball, pinball } from '../../../federated/decisions/band-scoring.ts';

const value = fc.double({ min: -1e4, max: 1e4, noNaN: true });
const level = fc.double({ min: 0.01, max: 0.99, noNaN: true });

describe('band scoring', () => {
  it('pinball is non-negative, zero only at the outcome, and tilted by its level', () => {
    fc.assert(
      fc.property(value, level, value, (q, tau, y) => {
        const loss = pinball(q, tau, y);
        expect(loss).toBeGreaterThanOrEqual(0);
        if (q === y) expect(loss).toBe(0);
        // Too low by d costs tau·d, too high by d costs (1 − tau)·d.
        const d = Math.abs(y - q);
        expect(loss).toBeCloseTo(q < y ? tau * d : (1 - tau) * d, 6);
      }),
    );
  });

  it('the empirical tau-quantile minimises the mean pinball loss over a sample', () => {
    fc.assert(
      fc.property(fc.array(value, { minLength: 5, maxLength: 40 }), level, value, (ys, tau, q) => {
        const sorted = [...ys].sort((a, b) => a - b);
        const best = sorted[Math.ceil(tau * sorted.length) - 1]!;
        const mean = (at: number) => ys.reduce((s, y) => s + pinball(at, tau, y), 0) / ys.length;
        expect(mean(best)).toBeLessThanOrEqual(mean(q) + 1e-6);
      }),
    );
  });

  it('a point forecast scores as a band of zero width: the median term alone is half the error', () => {
    fc.assert(
      fc.property(value, value, (point, y) => {
        const asBand = meanPinball([point, point, point, point, point], y);
        expect(meanPinball(point, y)).toBeCloseTo(asBand, 9);
        // Levels 0.1…0.9 are symmetric around 0.5, so the mean is |error| / 2 either way.
        expect(asBand).toBeCloseTo(Math.abs(y - point) / 2, 6);
      }),
    );
  });

  it('coverage counts the days strictly below p10 and below p90', () => {
    const band = new BandTally();
    expect(band.coverage()).toBeNull();
    for (const sold of [0, 5, 10, 15, 20]) band.add(5, 15, sold);
    expect(band.coverage()).toEqual({ p10: 1 / 5, p90: 3 / 5 });
    const other = new BandTally();
    other.add(5, 15, 100);
    band.merge(other);
    expect(band.coverage()).toEqual({ p10: 1 / 6, p90: 3 / 6 });
  });
});
