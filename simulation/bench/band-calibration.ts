/**
 * Ways to calibrate the p10/p90 band, compared offline on the day-ahead forecasts a `simulate`
 * run wrote (`--forecasts FILE`: every held-out product-day with its band, sales and level). Each
 * day's band is shifted from the bakery's earlier held-out days only — the forecasts it actually
 * made, as the app calibrates on its stored forecasts — and scored as `simulate` scores it:
 * share of product-days below p10 and below p90 (target 10 % and 90 % ± 3), pinball loss per
 * unit sold over the five quantiles.
 *
 * - `none`: the band as the model forecasts it;
 * - `fixed-28`: the previous calibration: the ⌊0.1 n⌋-th and ⌊0.9 n⌋-th of the n scores of the
 *   28 days before (0-based), no adaptation;
 * - `finite-28`, `finite-14`, `finite-7`: the finite-sample conformal ranks (`conformalShift`)
 *   over a 28-, 14- or 7-day window;
 * - `recent-7`: the same over 28 days with each day's score weighted by ½ per 7 days of age
 *   (weighted conformal prediction, Barber et al. 2023);
 * - `track-0.05`: no window: each edge's shift moves by 0.05 × (share below − target) per day
 *   (quantile tracking, the P part of conformal PID control, Angelopoulos et al. 2023);
 * - `aci-γ`: adaptive conformal inference (Gibbs & Candès 2021): `finite-28` at levels that each
 *   of the 28 days before moved by γ × (target − the share of that day's sales below the edge);
 * - `window-100`: what the app and `simulate` do (`bandShift`): `finite` over the last 7 days, or
 *   as many more (up to 28) as it takes to hold 100 product-days.
 *
 * node --import tsx simulation/bench/band-calibration.ts FILE... [--method federated|local|centralized]
 */
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { parseArgs } from 'node:util';
import { parse } from 'csv-parse/sync';
import { addDays } from '../../federated/calendar/dates.ts';
import {
  bandShift,
  calibrationPointsWanted,
  conformalShift,
  noShift,
  shiftBand,
  type BandShift,
  type CalibrationPoint,
} from '../../federated/decisions/band-calibration.ts';
import { meanPinball } from '../../federated/decisions/band-scoring.ts';

type Day = { bakery: string; date: string; sold: number; level: number; q: number[] };
/** How a method shifts `date`'s band from the bakery's earlier forecasts. */
type Calibration = (before: CalibrationPoint[], date: string) => BandShift;

const scores = (ps: CalibrationPoint[], edge: 'p10' | 'p90') =>
  ps.map((p) => (p.sold - p[edge]) / p.level);
const within = (ps: CalibrationPoint[], date: string, days: number) =>
  ps.filter((p) => p.date >= addDays(date, -days));

const fixed28: Calibration = (before, date) => {
  const w = within(before, date, 28);
  if (w.length < 30) return noShift;
  const at = (edge: 'p10' | 'p90', share: number) =>
    scores(w, edge).sort((a, b) => a - b)[Math.floor(share * w.length)]!;
  return { p10: at('p10', 0.1), p90: at('p90', 0.9) };
};

const finite =
  (days: number): Calibration =>
  (before, date) =>
    conformalShift(within(before, date, days));

const recent =
  (halfLife: number): Calibration =>
  (before, date) => {
    const w = within(before, date, 28);
    if (w.length < 30) return noShift;
    const weighted = (edge: 'p10' | 'p90', share: number) => {
      const s = w
        .map((p) => ({
          v: (p.sold - p[edge]) / p.level,
          w: 0.5 ** ((Date.parse(date) - Date.parse(p.date)) / 864e5 / halfLife),
        }))
        .sort((a, b) => a.v - b.v);
      const total = s.reduce((t, x) => t + x.w, 0);
      let sum = 0;
      for (const x of s) if ((sum += x.w) >= share * total) return x.v;
      return s.at(-1)!.v;
    };
    return { p10: weighted('p10', 0.1), p90: weighted('p90', 0.9) };
  };

const track =
  (step: number): Calibration =>
  (before) => {
    const shift = { p10: 0, p90: 0 };
    const dates = [...new Set(before.map((p) => p.date))].sort();
    for (const d of dates) {
      const day = before.filter((p) => p.date === d);
      const below = (edge: 'p10' | 'p90') =>
        day.filter((p) => p.sold < p[edge] + shift[edge] * p.level).length / day.length;
      shift.p10 -= step * (below('p10') - 0.1);
      shift.p90 -= step * (below('p90') - 0.9);
    }
    return shift;
  };

const aci =
  (step: number): Calibration =>
  (before, date) => {
    const levels = { p10: 0.1, p90: 0.9 };
    const days = [...new Set(within(before, date, 28).map((p) => p.date))].sort();
    for (const d of days) {
      const shift = conformalShift(
        within(
          before.filter((p) => p.date < d),
          d,
          28,
        ),
        levels,
      );
      const day = before.filter((p) => p.date === d);
      const below = (edge: 'p10' | 'p90') =>
        day.filter((p) => p.sold < p[edge] + shift[edge] * p.level).length / day.length;
      levels.p10 += step * (0.1 - below('p10'));
      levels.p90 += step * (0.9 - below('p90'));
    }
    return conformalShift(within(before, date, 28), levels);
  };

const methods: Record<string, Calibration> = {
  none: () => noShift,
  'fixed-28': fixed28,
  'finite-28': finite(28),
  'finite-14': finite(14),
  'finite-7': finite(7),
  'recent-7': recent(7),
  'track-0.05': track(0.05),
  'aci-0.02': aci(0.02),
  'aci-0.05': aci(0.05),
  'aci-0.1': aci(0.1),
  [`window-${calibrationPointsWanted}`]: (before, date) => bandShift(before, date),
};

function groupBy<T>(items: T[], key: (item: T) => string): Map<string, T[]> {
  const out = new Map<string, T[]>();
  for (const item of items) {
    const k = key(item);
    const group = out.get(k);
    if (group) group.push(item);
    else out.set(k, [item]);
  }
  return out;
}

/** Coverage and pinball of one method over all bakeries of a forecasts file. */
function score(days: Day[], calibrate: Calibration) {
  let n = 0;
  let below10 = 0;
  let below90 = 0;
  let pinball = 0;
  let sold = 0;
  const bakeries = groupBy(days, (d) => d.bakery);
  for (const mine of bakeries.values()) {
    const byDate = groupBy(mine, (d) => d.date);
    const before: CalibrationPoint[] = [];
    for (const date of [...byDate.keys()].sort()) {
      const today = byDate.get(date)!;
      const shift = calibrate(before, date);
      for (const d of today) {
        const [p10, p25, p50, p75, p90] = d.q as [number, number, number, number, number];
        const band = shiftBand({ p10, p25, p50, p75, p90 }, shift, d.level);
        n++;
        if (d.sold < band.p10) below10++;
        if (d.sold < band.p90) below90++;
        pinball += meanPinball([band.p10, p25, p50, p75, band.p90], d.sold);
        sold += d.sold;
      }
      for (const d of today)
        before.push({ date, p10: d.q[0]!, p90: d.q[4]!, sold: d.sold, level: d.level });
    }
  }
  return { p10: below10 / n, p90: below90 / n, pinball: pinball / sold, productDays: n };
}

const { values, positionals } = parseArgs({
  options: { method: { type: 'string', default: 'federated' } },
  allowPositionals: true,
});
const levels = ['p10', 'p25', 'p50', 'p75', 'p90'];
const pct = (v: number) => `${(v * 100).toFixed(1)} %`;
for (const file of positionals) {
  const rows = parse(readFileSync(file, 'utf8'), { columns: true }) as Record<string, string>[];
  if (rows.length > 0 && !('level' in rows[0]!))
    throw new Error(`${file}: no level column (written by an older simulate)`);
  const days: Day[] = rows.map((r) => ({
    bakery: r.bakery!,
    date: r.date!,
    sold: Number(r.sold),
    level: Number(r.level),
    q: levels.map((l) => Number(r[`${values.method}_${l}`])),
  }));
  console.log(`\n${basename(file)} (${values.method}, ${days.length} product-days)`);
  console.log('| method | below p10 | below p90 | pinball per unit sold |');
  console.log('| --- | ---: | ---: | ---: |');
  for (const [name, calibrate] of Object.entries(methods)) {
    const s = score(days, calibrate);
    console.log(`| ${name} | ${pct(s.p10)} | ${pct(s.p90)} | ${s.pinball.toFixed(5)} |`);
  }
}
