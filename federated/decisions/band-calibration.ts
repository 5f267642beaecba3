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

/** Days of forecasts before a day whose outcomes calibrate its band. */
export const calibrationWindowDays = 28;

/**
 * Days of forecasts `bandShift` reads before a day: the window, and before it the window of each
 * of the window's days, whose misses tune the levels (see `bandShift`).
 */
export const calibrationHistoryDays = 2 * calibrationWindowDays;

/** Step of the levels' daily adaptation to the misses (Gibbs & Candès 2021's γ). */
export const adaptationRate = 0.02;

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

/** The shares of `day`'s forecasts whose sales fell below each edge moved by `shift`. */
function missShares(day: readonly CalibrationPoint[], shift: BandShift): BandShift {
  let below10 = 0;
  let below90 = 0;
  for (const p of day) {
    if (p.sold < p.p10 + shift.p10 * p.level) below10++;
    if (p.sold < p.p90 + shift.p90 * p.level) below90++;
  }
  return { p10: below10 / day.length, p90: below90 / day.length };
}

/**
 * How far to move the band of `date`: adaptive conformal inference (Gibbs & Candès 2021). The
 * shift is `conformalShift` over the `calibrationWindowDays` before `date`, at levels that the
 * misses of the window's own days have tuned: replaying those days in order, each is shifted
 * from its own preceding window, and each edge's level then moves by `adaptationRate` × (target
 * share − the share of that day's sales that fell below the edge). A demand that drifts away
 * from the model (a trend the window lags behind) keeps missing one edge and so keeps pushing
 * its level outwards until the misses stop; in steady demand the levels stay near 10 % and 90 %.
 *
 * `points`: the forecasts of the `calibrationHistoryDays` before `date` (later ones are ignored),
 * so the result depends on those days alone — the app and `simulate` compute the same shift.
 */
export function bandShift(
  points: readonly CalibrationPoint[],
  date: string,
  rate = adaptationRate,
): BandShift {
  const start = addDays(date, -calibrationWindowDays);
  const windowBefore = (day: string) => {
    const from = addDays(day, -calibrationWindowDays);
    return points.filter((p) => p.date >= from && p.date < day);
  };
  const byDay = new Map<string, CalibrationPoint[]>();
  for (const p of points)
    if (p.date >= start && p.date < date) {
      const day = byDay.get(p.date);
      if (day) day.push(p);
      else byDay.set(p.date, [p]);
    }
  const levels = { ...target };
  for (const day of [...byDay.keys()].sort()) {
    const missed = missShares(byDay.get(day)!, conformalShift(windowBefore(day), levels));
    levels.p10 += rate * (target.p10 - missed.p10);
    levels.p90 += rate * (target.p90 - missed.p90);
  }
  return conformalShift(windowBefore(date), levels);
}

/** The band moved by `shift`, kept ordered (p10 ≤ p25, p75 ≤ p90) and never below zero. */
export function shiftBand(q: Quantiles, shift: BandShift, level: number): Quantiles {
  return {
    ...q,
    p10: Math.max(0, Math.min(q.p10 + shift.p10 * level, q.p25)),
    p90: Math.max(q.p90 + shift.p90 * level, q.p75),
  };
}
