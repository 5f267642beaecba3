import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { clipToNorm, l2Norm, nextClipNorm } from '../../../federated/privacy/index.ts';

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

describe('adaptive clipping (Andrew et al. 2021)', () => {
  it('moves C geometrically toward the target quantile', () => {
    const config = { targetQuantile: 0.5, learningRate: 0.2 };
    expect(nextClipNorm(1, 0.9, config)).toBeCloseTo(Math.exp(-0.2 * 0.4), 12);
    expect(nextClipNorm(1, 0.1, config)).toBeGreaterThan(1);
  });
});
