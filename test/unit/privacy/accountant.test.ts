import { describe, expect, it } from 'vitest';
import {
  DEFAULT_ORDERS,
  OPACUS_ORDERS,
  budgetEpsilon,
  computeEpsilon,
  computeRdp,
  emptyBudget,
  epsilonFromRdp,
  spendRound,
} from '../../../federated/privacy/accountant.ts';
import { logErfc } from '../../../federated/privacy/log-erfc.ts';

/**
 * Independent reference, written from the published formulas without sharing code with the
 * accountant: Mironov, Talwar, Zhang 2019, Section 3.3, integer α:
 *   A_α = Σ_{i=0..α} C(α,i) (1−q)^(α−i) q^i exp((i²−i)/(2σ²)),  RDP(α) = log(A_α)/(α−1);
 * q = 1: RDP(α) = α/(2σ²) (Mironov 2017, Gaussian mechanism). Binomials are exact BigInts and
 * the sum is a two-pass log-sum-exp (the accountant uses float recurrences and pairwise log-add).
 */
function logBigInt(value: bigint): number {
  const bits = value.toString(2).length;
  const shift = Math.max(0, bits - 60);
  return Math.log(Number(value >> BigInt(shift))) + shift * Math.LN2;
}

function referenceRdp(q: number, sigma: number, alpha: number): number {
  if (q === 1) return alpha / (2 * sigma * sigma);
  const terms: number[] = [];
  let binom = 1n;
  for (let i = 0; i <= alpha; i++) {
    if (i > 0) binom = (binom * BigInt(alpha - i + 1)) / BigInt(i);
    terms.push(
      logBigInt(binom) +
        (alpha - i) * Math.log(1 - q) +
        i * Math.log(q) +
        (i * i - i) / (2 * sigma * sigma),
    );
  }
  const max = Math.max(...terms);
  const logA = max + Math.log(terms.reduce((s, t) => s + Math.exp(t - max), 0));
  return logA / (alpha - 1);
}

function referenceEpsilon(
  q: number,
  sigma: number,
  steps: number,
  delta: number,
  orders: number[],
): number {
  // Balle et al. 2020, Theorem 21 (the conversion Opacus and dp_accounting use).
  const candidates = orders.map(
    (a) =>
      steps * referenceRdp(q, sigma, a) +
      Math.log1p(-1 / a) -
      (Math.log(delta) + Math.log(a)) / (a - 1),
  );
  return Math.max(0, Math.min(...candidates));
}

const INTEGER_ORDERS = DEFAULT_ORDERS.filter((a) => Number.isInteger(a));

describe('RDP accountant against an independent implementation of the published formulas', () => {
  const grid: [number, number, number, number][] = [];
  for (const q of [1, 0.5, 0.1, 0.05, 0.01])
    for (const sigma of [0.7, 1, 1.5, 3])
      for (const steps of [1, 10, 100, 365])
        for (const delta of [1e-5, 1e-6]) grid.push([q, sigma, steps, delta]);

  it(`agrees to two decimals over ${grid.length} settings (integer orders 2…63, 128, 256, 512)`, () => {
    for (const [q, sigma, steps, delta] of grid) {
      const ours = computeEpsilon({
        noiseMultiplier: sigma,
        rounds: steps,
        delta,
        sampleRate: q,
        orders: INTEGER_ORDERS,
      });
      const reference = referenceEpsilon(q, sigma, steps, delta, INTEGER_ORDERS);
      expect(
        Math.abs(ours.epsilon - reference),
        `q=${q} σ=${sigma} T=${steps} δ=${delta}`,
      ).toBeLessThan(0.005);
    }
  });

  it('fractional orders interpolate between their integer neighbours (log A_α is convex in α)', () => {
    for (const [q, sigma] of [
      [0.01, 1],
      [0.1, 0.8],
      [0.3, 2],
    ] as const) {
      for (const alpha of [2.25, 3.5, 7.5]) {
        const lo = Math.floor(alpha);
        const hi = lo + 1;
        const logA = (a: number) => computeRdp(q, sigma, 1, [a])[0]! * (a - 1);
        const w = alpha - lo;
        expect(logA(alpha)).toBeLessThanOrEqual((1 - w) * logA(lo) + w * logA(hi) + 1e-12);
        expect(logA(alpha)).toBeGreaterThanOrEqual(Math.min(logA(lo), logA(hi)) - 1e-12);
      }
    }
  });
});

describe('RDP accountant against values published by Opacus and dp_accounting', () => {
  it('Opacus RDPAccountant test: σ=1.5, q=0.04, 2250 steps, δ=1e-5 → ε = 7.32911117143', () => {
    // Source: pytorch/opacus, opacus/tests/accountants_test.py, test_rdp_accountant
    // (default alphas: 1.1…10.9 and 12…63).
    const { epsilon } = computeEpsilon({
      noiseMultiplier: 1.5,
      sampleRate: 0.04,
      rounds: Math.trunc(90 / 0.04),
      delta: 1e-5,
      orders: OPACUS_ORDERS,
    });
    expect(epsilon).toBeCloseTo(7.32911117143, 6);
  });

  it('Opacus compute_rdp docstring: two mechanisms composed, orders 2…32, δ=1e-5 → (0.336, 23)', () => {
    // Source: pytorch/opacus, opacus/accountants/analysis/rdp.py, module docstring example.
    const orders = Array.from({ length: 31 }, (_, i) => i + 2);
    const a = computeRdp(1e-5, 1.0, 10, orders);
    const b = computeRdp(1e-4, 3.0, 4, orders);
    const { epsilon, order } = epsilonFromRdp(
      orders,
      a.map((r, k) => r + b[k]!),
      1e-5,
    );
    expect(epsilon).toBeCloseTo(0.336, 3);
    expect(order).toBe(23);
  });

  it('dp_accounting: RDP of Poisson-sampled Gaussian, σ=2.5, q=0.01, 50 steps', () => {
    // Source: google/differential-privacy, python/dp_accounting/.../rdp_privacy_accountant_test.py,
    // test_compute_rdp_poisson_sampled_gaussian, rtol 1e-4. Up to dp_accounting 0.4.3 (signed
    // series, as TF-Privacy and Opacus): 6.5007e-04, 1.0854e-03, 2.1808e-03, 2.3846e-02,
    // 1.6742e+02. From 0.4.4 the fractional series adds |terms| (an upper bound), changing the
    // two fractional orders: 6.70579741e-04, 1.08548710e-03.
    const orders = [1.5, 2.5, 5, 50, 100];
    const signed = computeRdp(0.01, 2.5, 50, orders);
    [6.5007e-4, 1.0854e-3, 2.1808e-3, 2.3846e-2, 1.6742e2].forEach((expected, k) =>
      expect(Math.abs(signed[k]! - expected) / expected).toBeLessThan(1e-4),
    );
    const absolute = computeRdp(0.01, 2.5, 50, orders, 'absolute');
    [6.70579741e-4, 1.0854871e-3, 2.18075656e-3, 2.38460375e-2, 1.67416308e2].forEach(
      (expected, k) => expect(Math.abs(absolute[k]! - expected) / expected).toBeLessThan(1e-4),
    );
  });

  it('dp_accounting: constant RDP 1.1 over orders 2…32 at δ=1e-5 → ε = 1.32783806176 at order 32', () => {
    // Source: same file, test_compute_epsilon_delta_pure_dp ("computed by hand").
    const orders = Array.from({ length: 31 }, (_, i) => i + 2);
    const { epsilon, order } = epsilonFromRdp(
      orders,
      orders.map(() => 1.1),
      1e-5,
    );
    expect(epsilon).toBeCloseTo(1.32783806176, 9);
    expect(order).toBe(32);
  });

  it('dp_accounting: Gaussian σ=4.530877117 (q=1) is (1, 1e-6)-DP over dense orders', () => {
    // Source: same file, test_compute_epsilon_delta_gaussian (orders 1.000…99.999 step 0.001;
    // dp_accounting skips α ≤ 1.01 in the conversion, so we do too).
    const orders = Array.from({ length: 99000 }, (_, i) => 0.001 * (i + 1000)).filter(
      (a) => a > 1.01,
    );
    const { epsilon } = computeEpsilon({
      noiseMultiplier: 4.530877117,
      rounds: 1,
      delta: 1e-6,
      orders,
    });
    expect(epsilon).toBeCloseTo(1, 6);
  });
});

describe('log erfc', () => {
  it('matches scipy (log 2 + scipy.special.log_ndtr(−x√2), scipy 1.17.1) including far tails', () => {
    const table: [number, number][] = [
      [-5, 0.6931471805591766],
      [-1.3, 0.6595945050581623],
      [-0.2, 0.20106364578290642],
      [0, 0],
      [0.3, -0.39843005144008525],
      [1, -1.849605509933249],
      [2, -5.36494126461664],
      [2.5, -7.806815272727267],
      [3, -10.720363041981116],
      [5, -27.200889545537446],
      [10, -102.87988902484493],
      [27, -732.8688865078977],
      [300, -90006.27615297309],
    ];
    for (const [x, expected] of table)
      expect(Math.abs(logErfc(x) - expected)).toBeLessThan(1e-9 * Math.max(1, Math.abs(expected)));
  });
});

describe('privacy budget over rounds', () => {
  it('composes round by round to the same ε as T rounds at once, and grows with T', () => {
    let budget = emptyBudget();
    for (let r = 0; r < 30; r++)
      budget = spendRound(budget, { noiseMultiplier: 1.2, sampleRate: 0.5 });
    const direct = computeEpsilon({
      noiseMultiplier: 1.2,
      rounds: 30,
      delta: 1e-5,
      sampleRate: 0.5,
    }).epsilon;
    expect(budgetEpsilon(budget, 1e-5)).toBeCloseTo(direct, 9);
    const json = JSON.parse(JSON.stringify(budget));
    expect(
      budgetEpsilon(spendRound(json, { noiseMultiplier: 1.2, sampleRate: 0.5 }), 1e-5),
    ).toBeGreaterThan(direct);
    expect(budgetEpsilon(emptyBudget(), 1e-5)).toBe(0);
  });

  it('no noise means no privacy: ε is infinite', () => {
    expect(computeEpsilon({ noiseMultiplier: 0, rounds: 1, delta: 1e-5 }).epsilon).toBe(Infinity);
  });
});
