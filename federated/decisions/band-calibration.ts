import type { Quantiles } from './quantile-function.ts';

/** How far to move a band's p10 and p90, in units of the day's level (scale-free). */
export type BandShift = { p10: number; p90: number };

export const noShift: BandShift = { p10: 0, p90: 0 };

/** A past forecast whose outcome is known: its band edges, what sold, the level it was scaled by. */
export type CalibrationPoint = { p10: number; p90: number; sold: number; level: number };

/**
 * A one-sided conformal shift of the band from recent days: p10 moves by the empirical 10 %
 * quantile of (sold − p10) / level and p90 by the 90 % quantile of (sold − p90) / level, so that
 * on those days exactly as many sales fell below each shifted edge as its level promises. The
 * scores are divided by the level so one shift serves a bakery's busy and slow products alike.
 * Fewer than `minPoints` days give no shift: a handful of days would move the band at random.
 */
export function bandShift(points: readonly CalibrationPoint[], minPoints = 30): BandShift {
  if (points.length < minPoints) return noShift;
  const below = (edge: 'p10' | 'p90', share: number) => {
    const scores = points.map((p) => (p.sold - p[edge]) / p.level).sort((a, b) => a - b);
    return scores[Math.floor(share * scores.length)]!;
  };
  return { p10: below('p10', 0.1), p90: below('p90', 0.9) };
}

/** The band moved by `shift`, kept ordered (p10 ≤ p25, p75 ≤ p90) and never below zero. */
export function shiftBand(q: Quantiles, shift: BandShift, level: number): Quantiles {
  return {
    ...q,
    p10: Math.max(0, Math.min(q.p10 + shift.p10 * level, q.p25)),
    p90: Math.max(q.p90 + shift.p90 * level, q.p75),
  };
}
