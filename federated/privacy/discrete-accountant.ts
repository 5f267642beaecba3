/**
 * Rényi DP of the distributed discrete Gaussian sum (Kairouz, Liu, Steinke, ICML 2021), the
 * mechanism secure rounds run. With h honest shares of N_Z(0, σ²) each, an integer contribution
 * of L2 norm ≤ Δ and dimension d, the sum satisfies, for every order α > 1 (their Theorem 1 and
 * Proposition 14; `compute_rdp_dgaussian_simplified` in google-research/federated distributed_dp):
 *     RDP(α) = min( α/(2z²) + τ·d,  (α/2)·(1/z + √d·τ)² ),   z = √h·σ/Δ,
 *     τ = 10·Σ_{k=1}^{h−1} exp(−2π²σ²·k/(k + 1)),
 * τ measuring how far a sum of discrete Gaussians is from one discrete Gaussian (negligible once
 * σ is a few grid units; ours are thousands). With τ = 0 this is the continuous Gaussian's
 * α/(2z²). Poisson sampling with rate q < 1 uses Zhu and Wang's general upper bound (ICML 2019,
 * Theorem 5) at integer orders, as the reference does; a fractional order is charged at the next
 * integer (RDP grows with α), so every order stays an upper bound.
 */
import { DEFAULT_ORDERS, epsilonFromRdp, type PrivacyBudget } from './accountant.ts';

export type DiscreteRound = {
  /** z: honest noise standard deviation over the L2 sensitivity; 0 = no noise (ε = ∞). */
  noiseMultiplier: number;
  /** τ of the honest shares (0 for a single discrete Gaussian). */
  tau: number;
  /** d: coordinates of the noised vector. */
  dimension: number;
  /** q: chance a given bakery takes part in the round. */
  sampleRate?: number;
};

/** τ for `shares` summed discrete Gaussian shares of variance σ² each. */
export function discreteTau(shareVariance: number, shares: number): number {
  let tau = 0;
  for (let k = 1; k < shares; k++) {
    const term = Math.exp(-2 * Math.PI ** 2 * shareVariance * (k / (k + 1)));
    if (term === 0) break; // later terms are smaller still
    tau += term;
  }
  return 10 * tau;
}

function rdpUnsampled(round: DiscreteRound, alpha: number): number {
  const { noiseMultiplier: z, tau, dimension: d } = round;
  if (z === 0) return Infinity;
  const first = alpha / (2 * z * z) + tau * d;
  const second = (alpha / 2) * (1 / z + Math.sqrt(d) * tau) ** 2;
  return Math.min(first, second);
}

const logFactorials: number[] = [0];
function logFactorial(n: number): number {
  for (let k = logFactorials.length; k <= n; k++)
    logFactorials[k] = logFactorials[k - 1]! + Math.log(k);
  return logFactorials[n]!;
}
const logBinomial = (n: number, k: number) =>
  logFactorial(n) - logFactorial(k) - logFactorial(n - k);

function logSumExp(terms: number[]): number {
  const top = Math.max(...terms);
  if (top === -Infinity || top === Infinity) return top;
  return top + Math.log(terms.reduce((s, t) => s + Math.exp(t - top), 0));
}

/** Zhu & Wang Theorem 5 at integer α ≥ 2. */
function rdpSampled(round: DiscreteRound, q: number, alpha: number): number {
  const eps = (l: number) => rdpUnsampled(round, l);
  const terms = [
    (alpha - 1) * Math.log1p(-q) + Math.log(alpha * q - q + 1),
    logBinomial(alpha, 2) + 2 * Math.log(q) + (alpha - 2) * Math.log1p(-q) + eps(2),
  ];
  for (let l = 3; l <= alpha; l++) {
    terms.push(
      Math.log(3) +
        (l - 1) * eps(l) +
        logBinomial(alpha, l) +
        (alpha - l) * Math.log1p(-q) +
        l * Math.log(q),
    );
  }
  return logSumExp(terms) / (alpha - 1);
}

export function rdpDiscreteRound(round: DiscreteRound, alpha: number): number {
  if (!(alpha > 1)) throw new RangeError('RDP orders must exceed 1');
  const q = round.sampleRate ?? 1;
  if (!(q >= 0 && q <= 1)) throw new RangeError('sample rate must be within [0, 1]');
  if (!(round.noiseMultiplier >= 0)) throw new RangeError('noise multiplier must be ≥ 0');
  if (q === 0) return 0;
  if (q === 1) return rdpUnsampled(round, alpha);
  if (round.noiseMultiplier === 0) return Infinity;
  const whole = Math.ceil(alpha);
  return Math.min(rdpSampled(round, q, Math.max(2, whole)), rdpUnsampled(round, whole));
}

export function discreteEpsilon(options: {
  round: DiscreteRound;
  rounds: number;
  delta: number;
  orders?: readonly number[];
}): { epsilon: number; order: number } {
  const orders = options.orders ?? DEFAULT_ORDERS;
  if (options.rounds === 0) return { epsilon: 0, order: NaN };
  const rdp = orders.map((alpha) => options.rounds * rdpDiscreteRound(options.round, alpha));
  return epsilonFromRdp(orders, rdp, options.delta);
}

export function spendDiscreteRound(budget: PrivacyBudget, round: DiscreteRound): PrivacyBudget {
  return {
    orders: budget.orders,
    rdp: budget.rdp.map((r, k) => r + rdpDiscreteRound(round, budget.orders[k]!)),
    rounds: budget.rounds + 1,
  };
}
