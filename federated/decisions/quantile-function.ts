import { quantileLevels } from '../features/spec.ts';

/** Inverse standard normal CDF (Acklam's rational approximation, |error| < 1.2e-9). */
export function normalQuantile(p: number): number {
  const a = [
    -39.69683028665376, 220.9460984245205, -275.9285104469687, 138.357751867269, -30.66479806614716,
    2.506628277459239,
  ];
  const b = [
    -54.47609879822406, 161.5858368580409, -155.6989798598866, 66.80131188771972,
    -13.28068155288572,
  ];
  const c = [
    -0.007784894002430293, -0.3223964580411365, -2.400758277161838, -2.549732539343734,
    4.374664141464968, 2.938163982698783,
  ];
  const d = [0.007784695709041462, 0.3224671290700398, 2.445134137142996, 3.754408661907416];
  const pl = 0.02425;
  if (p <= 0) return -Infinity;
  if (p >= 1) return Infinity;
  if (p < pl) {
    const q = Math.sqrt(-2 * Math.log(p));
    return (
      (((((c[0]! * q + c[1]!) * q + c[2]!) * q + c[3]!) * q + c[4]!) * q + c[5]!) /
      ((((d[0]! * q + d[1]!) * q + d[2]!) * q + d[3]!) * q + 1)
    );
  }
  if (p > 1 - pl) return -normalQuantile(1 - p);
  const q = p - 0.5;
  const r = q * q;
  return (
    ((((((a[0]! * r + a[1]!) * r + a[2]!) * r + a[3]!) * r + a[4]!) * r + a[5]!) * q) /
    (((((b[0]! * r + b[1]!) * r + b[2]!) * r + b[3]!) * r + b[4]!) * r + 1)
  );
}

export type Quantiles = { p10: number; p25: number; p50: number; p75: number; p90: number };

export function quantilesFrom(values: ArrayLike<number>): Quantiles {
  const v = Array.from(values);
  if (v.length !== quantileLevels.length) throw new Error('expected five quantiles');
  return { p10: v[0]!, p25: v[1]!, p50: v[2]!, p75: v[3]!, p90: v[4]! };
}

/** Standard normal density. */
function normalDensity(z: number): number {
  return Number.isFinite(z) ? Math.exp(-0.5 * z * z) / Math.sqrt(2 * Math.PI) : 0;
}

/**
 * Standard normal CDF: Marsaglia's Taylor series ("Evaluating the normal distribution", Journal
 * of Statistical Software 11(4), 2004), absolute error below 1e-15; beyond ±8 it is 0 or 1 to
 * that precision.
 */
function normalCdf(z: number): number {
  if (z < -8) return 0;
  if (z > 8) return 1;
  const q = z * z;
  let sum = z;
  let term = z;
  let previous = 0;
  for (let i = 1; sum !== previous; i += 2) {
    previous = sum;
    term *= q / (i + 2);
    sum += term;
  }
  return 0.5 + sum * normalDensity(z);
}

/** Quantile levels the tails are clamped at (the forecast never extrapolates past them). */
const tailLevel = 1e-4;

/**
 * The demand model behind the five quantiles: D = max(0, g(Z)) with Z standard normal and g
 * linear between the knots' normal scores, extended along the outer segments' slope and flat
 * beyond the tail levels. Returned as pieces g(z) = intercept + slope · z on [from, to].
 */
function demandPieces(
  q: Quantiles,
): { from: number; to: number; intercept: number; slope: number }[] {
  const values = [q.p10, q.p25, q.p50, q.p75, q.p90];
  for (let i = 1; i < values.length; i++) values[i] = Math.max(values[i]!, values[i - 1]!);
  const z = quantileLevels.map(normalQuantile);
  const last = z.length - 1;
  const line = (i: number) => {
    const slope = (values[i + 1]! - values[i]!) / (z[i + 1]! - z[i]!);
    return { slope, intercept: values[i]! - slope * z[i]! };
  };
  const low = normalQuantile(tailLevel);
  const high = normalQuantile(1 - tailLevel);
  const first = line(0);
  const outer = line(last - 1);
  return [
    { from: -Infinity, to: low, intercept: first.intercept + first.slope * low, slope: 0 },
    { from: low, to: z[0]!, ...first },
    ...z.slice(0, last).map((from, i) => ({ from, to: z[i + 1]!, ...line(i) })),
    { from: z[last]!, to: high, ...outer },
    { from: high, to: Infinity, intercept: outer.intercept + outer.slope * high, slope: 0 },
  ];
}

/**
 * A full quantile function from the five predicted quantiles: monotone, linear in normal-score
 * space between the knots (exact for a normal distribution), with tails extrapolated along the
 * outer segments' normal-score slope, and floored at 0 units.
 */
export function quantileFunction(q: Quantiles): (tau: number) => number {
  const pieces = demandPieces(q);
  return (tau: number) => {
    const zt = normalQuantile(Math.min(Math.max(tau, tailLevel), 1 - tailLevel));
    const piece = pieces.find((p) => zt <= p.to)!;
    return Math.max(0, piece.intercept + piece.slope * zt);
  };
}

/**
 * E[min(max(D, lo), hi)] in closed form: on each piece, split where g crosses lo and hi, then
 * ∫(a + b·z)φ(z)dz = a·(Φ(u) − Φ(l)) − b·(φ(u) − φ(l)) where D is between them, and the bound
 * times the probability where it is not. lo ≥ 0, so the floor at 0 units is included.
 */
function expectedClamped(q: Quantiles, lo: number, hi: number): number {
  let sum = 0;
  for (const { from, to, intercept, slope } of demandPieces(q)) {
    const cuts = [from, to];
    if (slope > 0)
      for (const bound of [lo, hi]) {
        const at = (bound - intercept) / slope;
        if (at > from && at < to) cuts.push(at);
      }
    cuts.sort((a, b) => a - b);
    for (let i = 0; i + 1 < cuts.length; i++) {
      const [l, u] = [cuts[i]!, cuts[i + 1]!];
      const mass = normalCdf(u) - normalCdf(l);
      if (mass <= 0) continue;
      const probe = Number.isFinite(l) ? (Number.isFinite(u) ? (l + u) / 2 : l) : u;
      const value = intercept + slope * probe;
      if (value <= lo) sum += lo * mass;
      else if (value >= hi) sum += hi * mass;
      else sum += intercept * mass - slope * (normalDensity(u) - normalDensity(l));
    }
  }
  return sum;
}

/** E[max(Q − D, 0)]: expected leftovers when baking Q. Non-decreasing in Q. */
export function expectedLeftovers(q: Quantiles, quantity: number): number {
  if (!(quantity > 0)) return 0;
  return Math.max(quantity - expectedClamped(q, 0, quantity), 0);
}

/** E[max(D − Q, 0)]: expected demand not met when baking Q. Non-increasing in Q. */
export function expectedShortage(q: Quantiles, quantity: number): number {
  const floor = Math.max(quantity, 0);
  return Math.max(expectedClamped(q, floor, Infinity) - floor, 0);
}

/** P(D ≤ Q): the chance that Q is enough (the bake sells out with 1 − this). */
export function probabilityEnough(q: Quantiles, quantity: number): number {
  if (quantity < 0) return 0;
  let enough = 0;
  for (const { from, to, intercept, slope } of demandPieces(q)) {
    const reach = slope > 0 ? Math.min(Math.max((quantity - intercept) / slope, from), to) : to;
    if (slope > 0) enough += normalCdf(reach) - normalCdf(from);
    else if (Math.max(intercept, 0) <= quantity) enough += normalCdf(to) - normalCdf(from);
  }
  return Math.min(enough, 1);
}

export function scaleQuantiles(q: ArrayLike<number>, level: number): Quantiles {
  const r = quantilesFrom(q);
  return {
    p10: Math.max(r.p10 * level, 0),
    p25: Math.max(r.p25 * level, 0),
    p50: Math.max(r.p50 * level, 0),
    p75: Math.max(r.p75 * level, 0),
    p90: Math.max(r.p90 * level, 0),
  };
}
