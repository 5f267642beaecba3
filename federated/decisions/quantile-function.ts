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

/**
 * A full quantile function from the five predicted quantiles: monotone, linear in normal-score
 * space between the knots (exact for a normal distribution at the knots, close between), with
 * tails extrapolated along the outer segments' normal-score slope, and floored at 0 units.
 */
export function quantileFunction(q: Quantiles): (tau: number) => number {
  const values = [q.p10, q.p25, q.p50, q.p75, q.p90];
  for (let i = 1; i < values.length; i++) values[i] = Math.max(values[i]!, values[i - 1]!);
  const z = quantileLevels.map(normalQuantile);
  return (tau: number) => {
    const t = Math.min(Math.max(tau, 1e-4), 1 - 1e-4);
    const zt = normalQuantile(t);
    let i = 0;
    if (zt <= z[0]!) i = 0;
    else if (zt >= z[z.length - 1]!) i = z.length - 2;
    else while (zt > z[i + 1]!) i++;
    const slope = (values[i + 1]! - values[i]!) / (z[i + 1]! - z[i]!);
    return Math.max(0, values[i]! + slope * (zt - z[i]!));
  };
}

/** Midpoint grid for integrating over τ: fine enough for a few tenths of a unit. */
const grid = Array.from({ length: 400 }, (_, i) => (i + 0.5) / 400);

/** E[max(Q − D, 0)]: expected leftovers when baking Q. Non-decreasing in Q. */
export function expectedLeftovers(q: Quantiles, quantity: number): number {
  const f = quantileFunction(q);
  let sum = 0;
  for (const tau of grid) sum += Math.max(quantity - f(tau), 0);
  return sum / grid.length;
}

/** E[max(D − Q, 0)]: expected demand not met when baking Q. Non-increasing in Q. */
export function expectedShortage(q: Quantiles, quantity: number): number {
  const f = quantileFunction(q);
  let sum = 0;
  for (const tau of grid) sum += Math.max(f(tau) - quantity, 0);
  return sum / grid.length;
}

/** P(D ≤ Q): the chance that Q is enough (the bake sells out with 1 − this). */
export function probabilityEnough(q: Quantiles, quantity: number): number {
  const f = quantileFunction(q);
  let n = 0;
  for (const tau of grid) if (f(tau) <= quantity) n++;
  return n / grid.length;
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
