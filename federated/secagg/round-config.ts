/**
 * What a round looks like once its roster is signed: n, the colluders c it must withstand, the
 * communication graph (complete, or SecAgg+ neighbourhoods of k + 1) and the thresholds. Both the
 * coordinator and every shop derive it from the round parameters and the size of the signed
 * roster, so a coordinator cannot quietly lower a threshold: it could only change `colluders`,
 * which a shop's policy checks.
 *
 * SecAgg+ sizing (Bell et al., CCS 2020): each shop's k neighbours are a uniformly random k-subset
 * of the others (the graph is relabelled by a random permutation, see graph.ts), so the colluders
 * among them are hypergeometric. k and t are the smallest that make, by a union bound over all
 * shops,
 *   P[some honest shop has ≥ t − 1 colluders among its neighbours] ≤ 2^-SECURITY_BITS and
 *   P[some shop keeps < t helpers when each neighbour drops with probability 1/3] ≤ 2^-CORRECTNESS_BITS.
 * t − 1, not t: a coordinator that declares all of a shop's honest neighbours dropped strips its
 * pairwise masks, and then the shop's own share plus t − 1 colluders' would rebuild its self mask.
 */
import { SecAggError } from './bytes.ts';
import { MAX_SHAMIR_SHARES } from './shamir.ts';

/** Security margin of the neighbourhood bound: 2^-40 even after 2^20 candidate rosters (docs/privacy.md). */
export const SECURITY_BITS = 60;
/** A round fails for lack of helpers with probability at most 2^-30 at the design dropout rate. */
export const CORRECTNESS_BITS = 30;
/** Design dropout: the consistency check already needs more than 2/3 of the roster to survive. */
export const DESIGN_DROPOUT = 1 / 3;
/**
 * Rosters up to this size always use the complete graph. With the default c = floor(n/3) no
 * SecAgg+ graph exists below about 110 shops, and measured from 150 shops on (docs/benchmarks.md,
 * "the switch point") SecAgg+ costs shops and coordinator no more than the complete graph, so
 * above this size the first SecAgg+ graph with k < n − 1 is taken.
 */
export const SECAGG_PLUS_FROM = 100;

export type GraphChoice = 'auto' | 'complete' | 'secagg+';

export type RoundConfig = {
  rosterSize: number;
  /** c: colluding shops (with the coordinator) the round is sized to withstand. */
  colluders: number;
  /** T: uploads that must survive and sign the survivor set; at least floor(2n/3) + 1. */
  minSurvivors: number;
  graph: 'complete' | 'secagg+';
  /** k: each shop's neighbours (n − 1 on the complete graph). */
  neighbours: number;
  /** t: Shamir threshold within a neighbourhood of k + 1 (the whole roster when complete). */
  threshold: number;
};

/** The smallest survivor count a round may have: more than two thirds of the signed roster. */
export function minimumThreshold(n: number): number {
  return Math.floor((2 * n) / 3) + 1;
}

// ---- exact tails in log space -----------------------------------------------------------

const logFactorials: number[] = [0];
function logFactorial(n: number): number {
  for (let i = logFactorials.length; i <= n; i++)
    logFactorials.push(logFactorials[i - 1]! + Math.log(i));
  return logFactorials[n]!;
}

function logChoose(n: number, k: number): number {
  if (k < 0 || k > n) return -Infinity;
  return logFactorial(n) - logFactorial(k) - logFactorial(n - k);
}

function logSumExp(terms: number[]): number {
  const max = Math.max(...terms);
  if (max === -Infinity) return -Infinity;
  return max + Math.log(terms.reduce((s, x) => s + Math.exp(x - max), 0));
}

/** log P[X ≥ x] for X ~ Hypergeometric(population N, K marked, d draws). */
export function logHypergeometricTail(N: number, K: number, d: number, x: number): number {
  const terms: number[] = [];
  const total = logChoose(N, d);
  for (let i = Math.max(x, 0); i <= Math.min(K, d); i++)
    terms.push(logChoose(K, i) + logChoose(N - K, d - i) - total);
  return terms.length ? logSumExp(terms) : -Infinity;
}

/** log P[X < x] for X ~ Binomial(d, p). */
export function logBinomialBelow(d: number, p: number, x: number): number {
  const terms: number[] = [];
  for (let i = 0; i < Math.min(x, d + 1); i++)
    terms.push(logChoose(d, i) + i * Math.log(p) + (d - i) * Math.log1p(-p));
  return terms.length ? logSumExp(terms) : -Infinity;
}

const LOG2 = Math.log(2);

/** The least t at which no honest shop's neighbourhood holds t − 1 colluders, or null. */
function securedThreshold(n: number, c: number, k: number): number | null {
  const ok = (t: number) =>
    (Math.log(n) + logHypergeometricTail(n - 1, c, k, t - 1)) / LOG2 <= -SECURITY_BITS;
  if (!ok(k)) return null;
  let lo = 2;
  let hi = k;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (ok(mid)) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

function helpersSuffice(n: number, k: number, t: number): boolean {
  return (Math.log(n) + logBinomialBelow(k, 1 - DESIGN_DROPOUT, t)) / LOG2 <= -CORRECTNESS_BITS;
}

function feasible(
  n: number,
  c: number,
  k: number,
): { neighbours: number; threshold: number } | null {
  const t = securedThreshold(n, c, k);
  return t !== null && helpersSuffice(n, k, t) ? { neighbours: k, threshold: t } : null;
}

/**
 * The smallest even k (k + 1 ≤ 255, k < n − 1) with a t meeting both bounds, or null. Both bounds
 * loosen as k grows, so a binary search finds it; the last steps walk down to be sure no smaller
 * k slipped through a non-monotone step of the discrete tails.
 */
export function sparseGraphFor(
  n: number,
  c: number,
): { neighbours: number; threshold: number } | null {
  const largest = Math.min(MAX_SHAMIR_SHARES - 1, n - 2) & ~1;
  if (largest < 2 || !feasible(n, c, largest)) return null;
  let lo = 1;
  let hi = largest / 2;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (feasible(n, c, 2 * mid)) hi = mid;
    else lo = mid + 1;
  }
  let k = 2 * lo;
  while (k - 2 >= 2 && feasible(n, c, k - 2)) k -= 2;
  return feasible(n, c, k);
}

/** The largest c a SecAgg+ graph can withstand at this roster size (−1: none). */
export function maxSparseColluders(n: number): number {
  let lo = -1;
  let hi = Math.floor(n / 2);
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (sparseGraphFor(n, mid)) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

type ConfigParams = { colluders?: number | null; graph?: GraphChoice; maxShops: number };

function complete(n: number, c: number): RoundConfig | null {
  const minSurvivors = minimumThreshold(n);
  // A shop's own share plus c colluders' must stay below t (see securedThreshold).
  const threshold = Math.max(minSurvivors, c + 2);
  if (n > MAX_SHAMIR_SHARES || threshold > n) return null;
  return {
    rosterSize: n,
    colluders: c,
    minSurvivors,
    graph: 'complete',
    neighbours: n - 1,
    threshold,
  };
}

/**
 * The round's configuration for a signed roster of n shops. Refuses (code `no-safe-graph`) when
 * neither graph can protect the requested colluders: the complete graph stops at 255 shops
 * (one GF(2^8) Shamir split), SecAgg+ at neighbourhoods of 255.
 */
export function roundConfig(params: ConfigParams, n: number): RoundConfig {
  const id = JSON.stringify([params.colluders ?? null, params.graph ?? 'auto', params.maxShops, n]);
  const known = configs.get(id);
  if (known) return { ...known };
  const config = deriveConfig(params, n);
  if (configs.size > 1000) configs.clear();
  configs.set(id, config);
  return { ...config };
}

// Deriving a configuration takes milliseconds of tail sums; a process asks for the same few.
const configs = new Map<string, RoundConfig>();

/** Forgets derived configurations (a benchmark charges each simulated shop its own). */
export function forgetConfigs(): void {
  configs.clear();
}

function deriveConfig(params: ConfigParams, n: number): RoundConfig {
  if (!Number.isInteger(n) || n < 2)
    throw new SecAggError(
      'roster-too-small',
      `a round needs at least 2 shops, the roster has ${n}`,
    );
  if (n > params.maxShops)
    throw new SecAggError(
      'roster-too-large',
      `the roster has ${n} shops, the round allows ${params.maxShops}`,
    );
  const requested = params.colluders ?? null;
  let c = requested ?? Math.floor(n / 3);
  const denseOnly =
    params.graph === 'complete' || (params.graph !== 'secagg+' && n <= SECAGG_PLUS_FROM);
  const sparse = (colluders: number) => {
    const found = sparseGraphFor(n, colluders);
    if (!found) return null;
    return {
      rosterSize: n,
      colluders,
      minSurvivors: minimumThreshold(n),
      graph: 'secagg+' as const,
      ...found,
    };
  };
  if (!denseOnly) {
    if (requested === null && !sparse(c) && n > MAX_SHAMIR_SHARES)
      c = Math.max(0, maxSparseColluders(n));
    const found = sparse(c);
    if (found && found.neighbours < n - 1) return found;
  }
  const dense = complete(n, c);
  if (dense) return dense;
  throw new SecAggError(
    'no-safe-graph',
    `no graph protects ${n} shops against ${c} colluders (the complete graph stops at ${MAX_SHAMIR_SHARES} shops, a neighbourhood at ${MAX_SHAMIR_SHARES})`,
  );
}
