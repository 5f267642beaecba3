import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  CORRECTNESS_BITS,
  SECAGG_PLUS_FROM,
  SECURITY_BITS,
  logBinomialBelow,
  logHypergeometricTail,
  maxSparseColluders,
  minimumThreshold,
  roundConfig,
  sparseGraphFor,
} from '../../../federated/secagg/round-config.ts';

const choose = (n: number, k: number): number => {
  let r = 1;
  for (let i = 0; i < k; i++) r = (r * (n - i)) / (i + 1);
  return r;
};

describe('round configuration from the signed roster', () => {
  it('computes exact hypergeometric and binomial tails', () => {
    for (const [N, K, d, x] of [
      [20, 5, 6, 2],
      [30, 10, 8, 5],
      [12, 3, 4, 0],
    ] as const) {
      let p = 0;
      for (let i = x; i <= Math.min(K, d); i++)
        p += (choose(K, i) * choose(N - K, d - i)) / choose(N, d);
      expect(Math.exp(logHypergeometricTail(N, K, d, x))).toBeCloseTo(p, 12);
    }
    let q = 0;
    for (let i = 0; i < 4; i++) q += choose(10, i) * 0.3 ** i * 0.7 ** (10 - i);
    expect(Math.exp(logBinomialBelow(10, 0.3, 4))).toBeCloseTo(q, 12);
  });

  it('always needs more than two thirds of the roster to survive', () => {
    for (let n = 2; n <= 600; n++) {
      const config = roundConfig({ maxShops: 600, colluders: 0, graph: 'auto' }, n);
      expect(config.minSurvivors).toBe(minimumThreshold(n));
      expect(3 * config.minSurvivors).toBeGreaterThan(2 * n);
      expect(config.threshold).toBeGreaterThanOrEqual(2);
    }
  });

  it('uses the complete graph up to the break-even, with t above every two-thirds and c + 1', () => {
    for (let n = 3; n <= SECAGG_PLUS_FROM; n++) {
      const config = roundConfig({ maxShops: n, colluders: null, graph: 'auto' }, n);
      expect(config.graph).toBe('complete');
      expect(config.colluders).toBe(Math.floor(n / 3));
      expect(config.threshold).toBeGreaterThanOrEqual(
        Math.max(minimumThreshold(n), config.colluders + 2),
      );
      expect(config.neighbours).toBe(n - 1);
    }
  });

  it('sizes SecAgg+ neighbourhoods to the smallest k whose bounds hold', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: SECAGG_PLUS_FROM + 1, max: 700 }),
        fc.double({ min: 0, max: 0.3 }),
        (n, fraction) => {
          const c = Math.floor(n * fraction);
          const found = sparseGraphFor(n, c);
          if (!found) return;
          const { neighbours: k, threshold: t } = found;
          expect(k % 2).toBe(0);
          expect(k + 1).toBeLessThanOrEqual(255);
          const log2 = Math.log(2);
          expect(
            (Math.log(n) + logHypergeometricTail(n - 1, c, k, t - 1)) / log2,
          ).toBeLessThanOrEqual(-SECURITY_BITS);
          expect((Math.log(n) + logBinomialBelow(k, 2 / 3, t)) / log2).toBeLessThanOrEqual(
            -CORRECTNESS_BITS,
          );
          // Two fewer neighbours admit no threshold meeting both bounds.
          if (k >= 4) {
            const smaller = k - 2;
            const ok = Array.from({ length: smaller - 1 }, (_, i) => i + 2).some(
              (tt) =>
                (Math.log(n) + logHypergeometricTail(n - 1, c, smaller, tt - 1)) / log2 <=
                  -SECURITY_BITS &&
                (Math.log(n) + logBinomialBelow(smaller, 2 / 3, tt)) / log2 <= -CORRECTNESS_BITS,
            );
            expect(ok).toBe(false);
          }
        },
      ),
      { numRuns: 40, seed: 7 },
    );
  });

  it('runs rounds past 255 shops on SecAgg+, capping the default colluders where a neighbourhood must', () => {
    const config = roundConfig({ maxShops: 500, colluders: null, graph: 'auto' }, 500);
    expect(config.graph).toBe('secagg+');
    expect(config.colluders).toBe(maxSparseColluders(500));
    expect(config.colluders).toBeLessThan(Math.floor(500 / 3));
    expect(config.neighbours + 1).toBeLessThanOrEqual(255);
    const explicit = roundConfig({ maxShops: 500, colluders: 50, graph: 'auto' }, 500);
    expect(explicit.colluders).toBe(50);
    expect(explicit.neighbours).toBeLessThan(config.neighbours);
    expect(() => roundConfig({ maxShops: 500, colluders: 166, graph: 'auto' }, 500)).toThrow(
      /no graph protects/,
    );
    expect(() => roundConfig({ maxShops: 300, colluders: null, graph: 'complete' }, 300)).toThrow(
      /no graph/,
    );
  });

  it('refuses rosters the round does not allow', () => {
    expect(() => roundConfig({ maxShops: 10, colluders: null, graph: 'auto' }, 11)).toThrow(
      /allows 10/,
    );
    expect(() => roundConfig({ maxShops: 10, colluders: null, graph: 'auto' }, 1)).toThrow(
      /at least 2/,
    );
  });
});
