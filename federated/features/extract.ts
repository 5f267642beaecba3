import { dateOfDay, dayNumber, weekdayIndex, yearFraction } from '../calendar/dates.ts';
import { categories, type ProductHistory } from './history.ts';
import { featureCount, levelWindowDays, minimumSampleHistory, targetCap } from './spec.ts';

/** One training example: features known the day before, target relative to the level. */
export type Sample = {
  date: string;
  x: number[];
  /** sold / level, capped. */
  y: number;
  /** Sold out: true demand ≥ sold, so only under-prediction is penalised. */
  censored: boolean;
  level: number;
  sold: number;
};

export type FeatureRow = {
  date: string;
  x: number[];
  level: number;
  /** Open logged days before the date (how much of the product's own history exists). */
  historyDays: number;
};

/** Dense per-calendar-day view of a history, so lags are array lookups. */
type Dense = {
  start: number;
  sold: Float64Array; // NaN = not logged or closed
  closed: Uint8Array;
  holiday: Uint8Array;
  soldOut: Uint8Array;
  temperature: Float64Array; // NaN = unknown
  rain: Float64Array;
  category: number;
  shelfLife: number;
};

function densify(history: ProductHistory, lastDay: number): Dense {
  const first = history.days[0];
  const start = first ? dayNumber(first.date) : lastDay;
  const n = Math.max(lastDay - start + 3, 1);
  const dense: Dense = {
    start,
    sold: new Float64Array(n).fill(NaN),
    closed: new Uint8Array(n),
    holiday: new Uint8Array(n),
    soldOut: new Uint8Array(n),
    temperature: new Float64Array(n).fill(NaN),
    rain: new Float64Array(n).fill(NaN),
    category: Math.max(0, categories.indexOf(history.category)),
    shelfLife: history.shelfLifeDays,
  };
  for (const day of history.days) {
    const i = dayNumber(day.date) - start;
    if (i < 0 || i >= n) continue;
    dense.closed[i] = day.closed ? 1 : 0;
    dense.holiday[i] = day.holiday ? 1 : 0;
    dense.soldOut[i] = day.soldOut ? 1 : 0;
    if (!day.closed && day.sold !== null && Number.isFinite(day.sold)) dense.sold[i] = day.sold;
    if (day.temperature !== null) dense.temperature[i] = day.temperature;
    if (day.rain !== null) dense.rain[i] = day.rain;
  }
  return dense;
}

const at = (a: Float64Array, i: number): number => (i >= 0 && i < a.length ? a[i]! : NaN);
const flag = (a: Uint8Array, i: number): number => (i >= 0 && i < a.length ? a[i]! : 0);

/**
 * The product's level before day t: a trimmed mean of its last 28 open logged days (looking
 * back at most levelWindowDays calendar days), floored at 1 unit so rare products do not divide by ~0.
 */
function levelBefore(dense: Dense, t: number): { level: number; count: number; zeros: number } {
  const values: number[] = [];
  for (let i = t - 1; i >= 0 && i >= t - levelWindowDays && values.length < 28; i--) {
    const v = dense.sold[i]!;
    if (!Number.isNaN(v)) values.push(v);
  }
  if (values.length === 0) return { level: 1, count: 0, zeros: 0 };
  const sorted = [...values].sort((a, b) => a - b);
  const trim = Math.floor(sorted.length * 0.1);
  const kept = sorted.slice(trim, sorted.length - trim);
  const mean = kept.reduce((s, v) => s + v, 0) / kept.length;
  const zeros = values.filter((v) => v === 0).length / values.length;
  return { level: Math.max(mean, 1), count: values.length, zeros };
}

function meanOf(values: number[]): number {
  const known = values.filter((v) => !Number.isNaN(v));
  return known.length ? known.reduce((s, v) => s + v, 0) / known.length : NaN;
}

function countOpenBefore(dense: Dense, t: number): number {
  let n = 0;
  for (let i = 0; i < t && i < dense.sold.length; i++) if (!Number.isNaN(dense.sold[i]!)) n++;
  return n;
}

function rowAt(dense: Dense, t: number, level: number, zeros: number): number[] {
  const x = new Array<number>(featureCount).fill(0);
  let k = 0;
  const day = dense.start + t;
  x[k + weekdayIndex(day)] = 1;
  k += 7;
  const season = 2 * Math.PI * yearFraction(day);
  x[k++] = Math.sin(season);
  x[k++] = Math.cos(season);
  x[k++] = Math.sin(2 * season);
  x[k++] = Math.cos(2 * season);
  x[k++] = flag(dense.holiday, t);
  x[k++] = Math.max(flag(dense.holiday, t + 1), flag(dense.holiday, t + 2));
  x[k++] = flag(dense.closed, t - 1);
  x[k++] = flag(dense.closed, t + 1);
  x[k + dense.category] = 1;
  k += categories.length;
  x[k++] = Math.log1p(dense.shelfLife) / Math.log(61);

  const rel = (i: number) => at(dense.sold, i) / level;
  const recent: number[] = [];
  for (let i = t - 1; i >= t - 7; i--) recent.push(rel(i));
  const mean7 = meanOf(recent);
  const mean28 = meanOf(Array.from({ length: 28 }, (_, j) => rel(t - 1 - j)));
  const weeks = (n: number) => meanOf(Array.from({ length: n }, (_, j) => rel(t - 7 * (j + 1))));
  const sw4 = weeks(4);
  const sw8 = weeks(8);
  // Missing lags fall back to the nearest summary, so a closed day reads as "typical".
  const fill = (v: number, ...fallbacks: number[]) => {
    for (const c of [v, ...fallbacks]) if (!Number.isNaN(c)) return c;
    return 1;
  };
  x[k++] = fill(rel(t - 1), mean7);
  x[k++] = fill(rel(t - 2), mean7);
  x[k++] = fill(rel(t - 7), sw4, mean7);
  x[k++] = fill(rel(t - 14), sw4, mean7);
  x[k++] = fill(sw4, mean7);
  x[k++] = fill(sw8, sw4, mean7);
  x[k++] = fill(mean7, mean28);
  x[k++] = fill(mean28);
  x[k++] = zeros;
  x[k++] = 1 / Math.sqrt(level);
  const temperature = at(dense.temperature, t);
  x[k++] = Number.isNaN(temperature) ? 0 : (temperature - 12) / 10;
  x[k++] = Number.isNaN(temperature) ? 1 : 0;
  const rain = at(dense.rain, t);
  x[k++] = Number.isNaN(rain) ? 0 : Math.log1p(Math.max(rain, 0)) / 2;
  x[k] = Number.isNaN(rain) ? 1 : 0;
  // Cap lag features like the target: a one-off big order must not swing tomorrow.
  for (let i = 0; i < x.length; i++) x[i] = Math.min(x[i]!, targetCap);
  return x;
}

/**
 * Training examples for every open, logged day (optionally within [from, to]) that has at least
 * `minimumSampleHistory` open days before it. Features use only what was known the day before,
 * plus the target day's calendar, planned closures and weather.
 */
export function extractSamples(
  history: ProductHistory,
  range: { from?: string; to?: string } = {},
): Sample[] {
  const last = history.days.at(-1);
  if (!last) return [];
  const dense = densify(history, dayNumber(last.date));
  const from = range.from ? Math.max(dayNumber(range.from) - dense.start, 0) : 0;
  const to = Math.min(
    range.to ? dayNumber(range.to) - dense.start : Infinity,
    dayNumber(last.date) - dense.start,
  );
  const samples: Sample[] = [];
  let openBefore = countOpenBefore(dense, from);
  for (let t = from; t <= to; t++) {
    const sold = dense.sold[t]!;
    if (!Number.isNaN(sold)) {
      if (openBefore >= minimumSampleHistory) {
        const { level, count, zeros } = levelBefore(dense, t);
        if (count >= minimumSampleHistory) {
          samples.push({
            date: dateOfDay(dense.start + t),
            x: rowAt(dense, t, level, zeros),
            y: Math.min(sold / level, targetCap),
            censored: dense.soldOut[t] === 1,
            level,
            sold,
          });
        }
      }
      openBefore++;
    }
  }
  return samples;
}

/**
 * The feature row to forecast `date` from everything logged before it. Works for any date after
 * the first logged day (tomorrow, or a backtest day); null when the product has no sales before.
 */
export function featureRow(history: ProductHistory, date: string): FeatureRow | null {
  const first = history.days[0];
  if (!first) return null;
  const target = dayNumber(date);
  const lastKnown = dayNumber(history.days.at(-1)!.date);
  const dense = densify(history, Math.max(target, lastKnown));
  const t = target - dense.start;
  if (t <= 0) return null;
  const { level, count, zeros } = levelBefore(dense, t);
  if (count === 0) return null;
  return {
    date,
    x: rowAt(dense, t, level, zeros),
    level,
    historyDays: countOpenBefore(dense, t),
  };
}
