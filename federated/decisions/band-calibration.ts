import { addDays } from '../calendar/dates.ts';
import type { Quantiles } from './quantile-function.ts';

/** How far to move a band's p10 and p90, in units of the day's level (scale-free). */
export type BandShift = { p10: number; p90: number };

export const noShift: BandShift = { p10: 0, p90: 0 };

/**
 * A past day-ahead forecast whose outcome is known: its day, its band edges (the model's own,
 * never a calibrated band, which would feed back on itself), what sold, the level it was
 * scaled by.
 */
export type CalibrationPoint = {
  date: string;
  p10: number;
  p90: number;
  sold: number;
  level: number;
};

/** The most days of forecasts before a day whose outcomes calibrate its band. */
export const calibrationWindowDays = 28;

/** The fewest: a week, so the band follows demand that drifts away from the model. */
export const calibrationMinDays = 7;

/**
 * Product-days the window is widened to hold (beyond a week): enough for the ⌈0.9(n+1)⌉-th
 * score to be a stable 90 % point. A 52-product bakery calibrates on its last week, a 3-product
 * one on 28 days.
 */
export const calibrationPointsWanted = 100;

/** The shares of days a calibrated band aims to put below its p10 and below its p90. */
const target: BandShift = { p10: 0.1, p90: 0.9 };

/** Fewer product-days than this give no shift: a handful would move the band at random. */
const minPoints = 30;

/**
 * The split-conformal shift of each edge from `points` at the shares `levels`: p10 moves by the
 * ⌊l(n+1)⌋-th smallest of the n scores (sold − p10) / level and p90 by the ⌈l(n+1)⌉-th smallest
 * of (sold − p90) / level — the finite-sample ranks, which keep a new day's chance of falling
 * below the lower edge at most l and below the upper edge at least l when the days are
 * exchangeable. Beyond the scores' range (a level near 0 or 1) the extreme score is taken.
 * The scores are divided by the level so one shift serves a bakery's busy and slow products alike.
 */
export function conformalShift(
  points: readonly Omit<CalibrationPoint, 'date'>[],
  levels: BandShift = target,
): BandShift {
  const n = points.length;
  if (n < minPoints) return noShift;
  const ranked = (edge: 'p10' | 'p90', rank: number) => {
    const scores = points.map((p) => (p.sold - p[edge]) / p.level).sort((a, b) => a - b);
    return scores[Math.min(Math.max(rank, 1), n) - 1]!;
  };
  return {
    p10: ranked('p10', Math.floor(levels.p10 * (n + 1))),
    p90: ranked('p90', Math.ceil(levels.p90 * (n + 1))),
  };
}

/**
 * The forecasts a day's band is calibrated on: those of the last `calibrationMinDays` before it,
 * or of as many more days (up to `calibrationWindowDays`) as it takes to hold
 * `calibrationPointsWanted` product-days. The most recent days serve best when demand drifts (a
 * young bakery's model meets a season it has not seen); the wider window keeps a small bakery's
 * edges from resting on a handful of days.
 */
export function calibrationWindow(
  points: readonly CalibrationPoint[],
  date: string,
): CalibrationPoint[] {
  const before = points.filter(
    (p) => p.date < date && p.date >= addDays(date, -calibrationWindowDays),
  );
  const perDay = new Map<string, number>();
  for (const p of before) perDay.set(p.date, (perDay.get(p.date) ?? 0) + 1);
  let held = 0;
  let from = addDays(date, -calibrationWindowDays);
  for (let back = 1; back <= calibrationWindowDays; back++) {
    const day = addDays(date, -back);
    held += perDay.get(day) ?? 0;
    if (back >= calibrationMinDays && held >= calibrationPointsWanted) {
      from = day;
      break;
    }
  }
  return before.filter((p) => p.date >= from);
}

/**
 * How far to move the band of `date`: `conformalShift` over its `calibrationWindow` (points of
 * other days are ignored, so the app and `simulate` compute the same shift from what they hold).
 */
export function bandShift(points: readonly CalibrationPoint[], date: string): BandShift {
  return conformalShift(calibrationWindow(points, date));
}

/** The band moved by `shift`, kept ordered (p10 ≤ p25, p75 ≤ p90) and never below zero. */
export function shiftBand(q: Quantiles, shift: BandShift, level: number): Quantiles {
  return {
    ...q,
    p10: Math.max(0, Math.min(q.p10 + shift.p10 * level, q.p25)),
    p90: Math.max(q.p90 + shift.p90 * level, q.p75),
  };
}
