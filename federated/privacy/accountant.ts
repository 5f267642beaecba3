/**
 * Privacy accountant: Rényi DP of the Poisson-sampled Gaussian mechanism (Mironov, Talwar,
 * Zhang 2019, "Rényi Differential Privacy of the Sampled Gaussian Mechanism", Section 3.3),
 * composed over rounds by adding RDP at each order, converted to (ε, δ).
 *
 * It follows the reference implementations term by term so the numbers agree with them:
 * TF-Privacy / dp_accounting `_compute_rdp` and Opacus `opacus/accountants/analysis/rdp.py`
 * (integer orders: binomial expansion of A_α in log space; fractional orders: the two-sided
 * series with erfc terms, stopped when both terms fall below e^-30).
 *
 * Conversion to (ε, δ): the improved bound of Balle et al. 2020 ("Hypothesis testing
 * interpretations and Rényi DP", Theorem 21; also Canonne–Kamath–Steinke 2020 Prop. 12),
 *     ε = min_α [ rdp(α) − (log δ + log α)/(α − 1) + log((α − 1)/α) ],
 * which is what Opacus `get_privacy_spent` and dp_accounting `compute_epsilon` use.
 *
 * In Breadcast's terms one "step" is one round: the unit of privacy is a whole bakery (its
 * clipped update, sensitivity C), the noise multiplier z is the sum's noise σ over C, and the
 * sample rate q is the chance a given bakery takes part in a round (1 when all always do).
 */
import { logErfc } from './log-erfc.ts';

/** dp_accounting's default RDP orders (the list TF-Privacy's accountant uses). */
export const DEFAULT_ORDERS: readonly number[] = [
  1.25,
  1.5,
  1.75,
  2,
  2.25,
  2.5,
  3,
  3.5,
  4,
  4.5,
  ...Array.from({ length: 59 }, (_, i) => i + 5),
  128,
  256,
  512,
];

/** Opacus RDPAccountant.DEFAULT_ALPHAS: 1.1…10.9 in tenths, then 12…63. */
export const OPACUS_ORDERS: readonly number[] = [
  ...Array.from({ length: 99 }, (_, i) => 1 + (i + 1) / 10),
  ...Array.from({ length: 52 }, (_, i) => i + 12),
];

function logAdd(a: number, b: number): number {
  const lo = Math.min(a, b);
  const hi = Math.max(a, b);
  if (lo === -Infinity) return hi;
  return Math.log1p(Math.exp(lo - hi)) + hi;
}

function logSub(a: number, b: number): number {
  if (a < b) throw new RangeError('log-space subtraction would be negative');
  if (b === -Infinity) return a;
  if (a === b) return -Infinity;
  const d = Math.expm1(a - b);
  return Number.isFinite(d) ? Math.log(d) + b : a;
}

function logAInteger(q: number, sigma: number, alpha: number): number {
  let logA = -Infinity;
  let logBinom = 0; // log C(alpha, 0)
  for (let i = 0; i <= alpha; i++) {
    if (i > 0) logBinom += Math.log((alpha - i + 1) / i);
    const s =
      logBinom + i * Math.log(q) + (alpha - i) * Math.log1p(-q) + (i * i - i) / (2 * sigma * sigma);
    logA = logAdd(logA, s);
  }
  return logA;
}

/**
 * How fractional orders sum their series. 'signed' is the exact expansion of TF-Privacy,
 * Opacus and dp_accounting ≤ 0.4.3 (it matches numerical integration of A_α). 'absolute' adds
 * every term's magnitude, the conservative upper bound dp_accounting adopted in 0.4.4.
 */
export type FractionalSeries = 'signed' | 'absolute';

function logAFractional(q: number, sigma: number, alpha: number, series: FractionalSeries): number {
  let logA0 = -Infinity;
  let logA1 = -Infinity;
  const z0 = sigma * sigma * Math.log(1 / q - 1) + 0.5;
  let coef = 1; // binom(alpha, i) for real alpha, built by the product recurrence
  for (let i = 0; ; i++) {
    if (i > 0) coef *= (alpha - i + 1) / i;
    const logCoef = Math.log(Math.abs(coef));
    const j = alpha - i;
    const logT0 = logCoef + i * Math.log(q) + j * Math.log1p(-q);
    const logT1 = logCoef + j * Math.log(q) + i * Math.log1p(-q);
    const logE0 = Math.log(0.5) + logErfc((i - z0) / (Math.SQRT2 * sigma));
    const logE1 = Math.log(0.5) + logErfc((z0 - j) / (Math.SQRT2 * sigma));
    const logS0 = logT0 + (i * i - i) / (2 * sigma * sigma) + logE0;
    const logS1 = logT1 + (j * j - j) / (2 * sigma * sigma) + logE1;
    if (coef > 0 || series === 'absolute') {
      logA0 = logAdd(logA0, logS0);
      logA1 = logAdd(logA1, logS1);
    } else {
      logA0 = logSub(logA0, logS0);
      logA1 = logSub(logA1, logS1);
    }
    if (Math.max(logS0, logS1) < -30 || i > 100_000) break;
  }
  return logAdd(logA0, logA1);
}

/** RDP at order α of one application of the Poisson-sampled Gaussian mechanism. */
export function rdpSampledGaussian(
  q: number,
  noiseMultiplier: number,
  alpha: number,
  series: FractionalSeries = 'signed',
): number {
  if (!(q >= 0 && q <= 1)) throw new RangeError('sample rate must be within [0, 1]');
  if (!(alpha > 1)) throw new RangeError('RDP orders must exceed 1');
  if (!(noiseMultiplier >= 0)) throw new RangeError('noise multiplier must be non-negative');
  if (q === 0) return 0;
  if (noiseMultiplier === 0) return Infinity;
  if (q === 1) return alpha / (2 * noiseMultiplier * noiseMultiplier);
  if (alpha === Infinity) return Infinity;
  const logA = Number.isInteger(alpha)
    ? logAInteger(q, noiseMultiplier, alpha)
    : logAFractional(q, noiseMultiplier, alpha, series);
  return logA / (alpha - 1);
}

export function computeRdp(
  q: number,
  noiseMultiplier: number,
  steps: number,
  orders: readonly number[] = DEFAULT_ORDERS,
  series: FractionalSeries = 'signed',
): number[] {
  return orders.map((alpha) => steps * rdpSampledGaussian(q, noiseMultiplier, alpha, series));
}

/** Best (ε, α) over the orders for a target δ; ε is never reported below 0. */
export function epsilonFromRdp(
  orders: readonly number[],
  rdp: readonly number[],
  delta: number,
): { epsilon: number; order: number } {
  if (orders.length !== rdp.length) throw new RangeError('orders and RDP values differ in length');
  if (!(delta > 0 && delta < 1)) throw new RangeError('delta must be within (0, 1)');
  let best = { epsilon: Infinity, order: NaN };
  orders.forEach((alpha, k) => {
    const eps =
      rdp[k]! - (Math.log(delta) + Math.log(alpha)) / (alpha - 1) + Math.log((alpha - 1) / alpha);
    if (!Number.isNaN(eps) && eps < best.epsilon) best = { epsilon: eps, order: alpha };
  });
  return { epsilon: Math.max(0, best.epsilon), order: best.order };
}

export function computeEpsilon(options: {
  noiseMultiplier: number;
  rounds: number;
  delta: number;
  sampleRate?: number;
  orders?: readonly number[];
}): { epsilon: number; order: number } {
  const orders = options.orders ?? DEFAULT_ORDERS;
  const rdp = computeRdp(options.sampleRate ?? 1, options.noiseMultiplier, options.rounds, orders);
  return epsilonFromRdp(orders, rdp, options.delta);
}

/**
 * A running budget as plain JSON (store it with each round): RDP per order, summed over
 * rounds that may each have their own z and q.
 */
export type PrivacyBudget = { orders: number[]; rdp: number[]; rounds: number };

export function emptyBudget(orders: readonly number[] = DEFAULT_ORDERS): PrivacyBudget {
  return { orders: [...orders], rdp: orders.map(() => 0), rounds: 0 };
}

export function spendRound(
  budget: PrivacyBudget,
  round: { noiseMultiplier: number; sampleRate?: number },
): PrivacyBudget {
  const step = computeRdp(round.sampleRate ?? 1, round.noiseMultiplier, 1, budget.orders);
  return {
    orders: budget.orders,
    rdp: budget.rdp.map((r, k) => r + step[k]!),
    rounds: budget.rounds + 1,
  };
}

export function budgetEpsilon(budget: PrivacyBudget, delta: number): number {
  if (budget.rounds === 0) return 0;
  return epsilonFromRdp(budget.orders, budget.rdp, delta).epsilon;
}
