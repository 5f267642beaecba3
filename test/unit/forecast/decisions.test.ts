import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  expectedLeftovers,
  expectedShortage,
  normalQuantile,
  probabilityEnough,
  quantileFunction,
  type Quantiles,
} from '../../../federated/decisions/quantile-function.ts';
import {
  bakeOnTopOf,
  criticalRatio,
  decisionCost,
  defaultCriticalRatio,
  newsvendorQuantity,
} from '../../../federated/decisions/newsvendor.ts';

const normal = (mu: number, sigma: number): Quantiles => ({
  p10: mu + sigma * normalQuantile(0.1),
  p25: mu + sigma * normalQuantile(0.25),
  p50: mu,
  p75: mu + sigma * normalQuantile(0.75),
  p90: mu + sigma * normalQuantile(0.9),
});

const phi = (z: number) => Math.exp(-(z * z) / 2) / Math.sqrt(2 * Math.PI);
/** Standard normal CDF via erf (Abramowitz–Stegun 7.1.26). */
function Phi(z: number): number {
  const t = 1 / (1 + (0.3275911 * Math.abs(z)) / Math.SQRT2);
  const y =
    1 -
    ((((1.061405429 * t - 1.453152027) * t + 1.421413741) * t - 0.284496736) * t + 0.254829592) *
      t *
      Math.exp(-(z * z) / 2);
  return z >= 0 ? (1 + y) / 2 : (1 - y) / 2;
}

const quantiles = fc
  .tuple(
    fc.double({ min: 0, max: 500, noNaN: true }),
    fc.array(fc.double({ min: 0, max: 100, noNaN: true }), { minLength: 4, maxLength: 4 }),
  )
  .map(([first, steps]): Quantiles => {
    const v = [first];
    for (const s of steps) v.push(v.at(-1)! + s);
    return { p10: v[0]!, p25: v[1]!, p50: v[2]!, p75: v[3]!, p90: v[4]! };
  });

describe('quantile function', () => {
  it('passes through the five quantiles and is monotone, never negative', () => {
    fc.assert(
      fc.property(quantiles, (q) => {
        const f = quantileFunction(q);
        expect(f(0.1)).toBeCloseTo(q.p10, 6);
        expect(f(0.5)).toBeCloseTo(q.p50, 6);
        expect(f(0.9)).toBeCloseTo(q.p90, 6);
        let previous = -Infinity;
        for (let t = 0.001; t < 1; t += 0.01) {
          const v = f(t);
          expect(v).toBeGreaterThanOrEqual(previous - 1e-9);
          expect(v).toBeGreaterThanOrEqual(0);
          previous = v;
        }
      }),
      { numRuns: 40 },
    );
  });
});

describe('expected leftovers and shortage', () => {
  it('are within 0.01 unit of the closed form for normal demand', () => {
    for (const [mu, sigma] of [
      [100, 20],
      [12, 3],
      [400, 60],
    ] as const) {
      for (let Q = Math.max(mu - 3 * sigma, 0); Q <= mu + 3 * sigma; Q += sigma / 4) {
        const z = (Q - mu) / sigma;
        const leftovers = sigma * (phi(z) + z * Phi(z)); // E[max(Q − D, 0)]
        expect(Math.abs(expectedLeftovers(normal(mu, sigma), Q) - leftovers)).toBeLessThan(0.01);
        expect(
          Math.abs(expectedShortage(normal(mu, sigma), Q) - (leftovers - (Q - mu))),
        ).toBeLessThan(0.01);
        expect(Math.abs(probabilityEnough(normal(mu, sigma), Q) - Phi(z))).toBeLessThan(1e-4);
      }
    }
  });

  it('are monotone in the quantity and satisfy leftovers − shortage = Q − E[D]', () => {
    fc.assert(
      fc.property(
        quantiles,
        fc.double({ min: 0, max: 800, noNaN: true }),
        fc.double({ min: 0, max: 50, noNaN: true }),
        (q, Q, dQ) => {
          expect(expectedLeftovers(q, Q + dQ)).toBeGreaterThanOrEqual(
            expectedLeftovers(q, Q) - 1e-9,
          );
          expect(expectedShortage(q, Q + dQ)).toBeLessThanOrEqual(expectedShortage(q, Q) + 1e-9);
          const mean = expectedShortage(q, 0);
          expect(expectedLeftovers(q, Q) - expectedShortage(q, Q)).toBeCloseTo(Q - mean, 6);
        },
      ),
    );
  });
});

describe('newsvendor', () => {
  it('bakes the demand quantile at the critical ratio (normal demand, closed form)', () => {
    // N(100, 20) at ratio 0.7: 100 + 20 × 0.5244 = 110.49 → 110.
    expect(newsvendorQuantity(normal(100, 20), 0.7)).toBe(110);
    expect(newsvendorQuantity(normal(100, 20), 0.5)).toBe(100);
  });

  it('bakes exactly the whole quantity with the lowest expected cost (brute force)', () => {
    fc.assert(
      fc.property(quantiles, fc.double({ min: 0.05, max: 0.95, noNaN: true }), (q, ratio) => {
        const cost = (Q: number) =>
          decisionCost(expectedLeftovers(q, Q), expectedShortage(q, Q), ratio);
        // The optimum is below the 99.9% quantile; the brute force looks a little past it.
        const top = Math.ceil(quantileFunction(q)(0.999)) + 2;
        let cheapest = 0;
        for (let Q = 1; Q <= top; Q++) if (cost(Q) < cost(cheapest)) cheapest = Q;
        expect(newsvendorQuantity(q, ratio)).toBe(cheapest);
      }),
      {
        numRuns: 60,
        // Demand with an atom (four equal quantiles), where rounding the quantile misses.
        examples: [[{ p10: 0, p25: 0.5406, p50: 0.5406, p75: 0.5406, p90: 0.5406 }, 0.2358]],
      },
    );
  });

  it('takes (price − cost) / price, the default 0.7 when unknown, and never goes below par', () => {
    expect(criticalRatio(2, 0.5)).toEqual({ ratio: 0.75, isDefault: false });
    expect(criticalRatio(null, 0.5)).toEqual({ ratio: defaultCriticalRatio, isDefault: true });
    expect(criticalRatio(1, 2).isDefault).toBe(true);
    expect(defaultCriticalRatio).toBe(0.7);
    expect(newsvendorQuantity(normal(100, 20), 0.7, 130)).toBe(130);
    expect(newsvendorQuantity(normal(100, 20), 0.7, 50)).toBe(110);
  });

  it('grows with the critical ratio', () => {
    fc.assert(
      fc.property(quantiles, fc.double({ min: 0.05, max: 0.9, noNaN: true }), (q, r) => {
        expect(newsvendorQuantity(q, r + 0.05)).toBeGreaterThanOrEqual(newsvendorQuantity(q, r));
      }),
    );
  });

  it('bakes on top of stock on hand: the cheapest shelf of at least that stock, less the stock (brute force)', () => {
    fc.assert(
      fc.property(
        quantiles,
        fc.double({ min: 0.05, max: 0.95, noNaN: true }),
        fc.integer({ min: 0, max: 700 }),
        fc.option(fc.integer({ min: 0, max: 400 }), { nil: null }),
        (q, ratio, stock, par) => {
          const cost = (Q: number) =>
            decisionCost(expectedLeftovers(q, Q), expectedShortage(q, Q), ratio);
          const top = Math.max(Math.ceil(quantileFunction(q)(0.999)) + 2, stock, par ?? 0);
          // The shelf holds the stock at least, and the par level when there is one.
          let cheapest = Math.max(stock, par ?? 0);
          for (let Q = cheapest + 1; Q <= top; Q++) if (cost(Q) < cost(cheapest)) cheapest = Q;
          expect(bakeOnTopOf(q, ratio, par, stock)).toBe(cheapest - stock);
        },
      ),
      { numRuns: 80 },
    );
    // N(100, 20) at 0.7 bakes 110 with nothing on hand; 30 carried over leave 80 to bake.
    expect(bakeOnTopOf(normal(100, 20), 0.7, null, 30)).toBe(80);
    expect(bakeOnTopOf(normal(100, 20), 0.7, null, 150)).toBe(0);
    expect(bakeOnTopOf(normal(100, 20), 0.7, 130, 30)).toBe(100);
  });
});
