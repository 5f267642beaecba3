import { readFileSync, writeFileSync } from 'node:fs';
import { parse } from 'csv-parse/sync';
import { stringify } from 'csv-stringify/sync';
import {
  dateOfDay,
  dayNumber,
  weekdayIndex,
  yearFraction,
} from '../../federated/calendar/dates.ts';
import { seededRandom } from '../../federated/model/random.ts';

/** One row of a daily-logs CSV as the generator reads and writes it. */
export type LogRow = {
  date: string;
  product: string;
  sold: number;
  closed: boolean;
  holiday: boolean;
  unitPrice: number | null;
};

export type GenerateOptions = {
  /** Products in the output: every source product, then variants of the busiest ones. */
  products: number;
  years: number;
  seed: number;
};

type SourceDay = { closed: boolean; holiday: boolean; sold: Map<string, number> };

/** Week of the season (0…52) a day falls in: weeks of the same season across years match. */
const seasonWeek = (day: number) => Math.floor(yearFraction(day) * 52.18);
const monday = (day: number) => day - weekdayIndex(day);

/** Poisson draw: exact (Knuth) for small means, normal approximation above 30. */
function poisson(mean: number, random: () => number): number {
  if (mean <= 0) return 0;
  if (mean < 30) {
    const limit = Math.exp(-mean);
    let k = 0;
    let p = random();
    while (p > limit) {
      k++;
      p *= random();
    }
    return k;
  }
  return Math.max(0, Math.round(mean + Math.sqrt(mean) * normal(random)));
}

/** A product of the output: which source product it follows, how much it sells of it. */
type Plan = { name: string; source: string; scale: number; drift: number[]; price: number | null };

/**
 * A bakery with many products and years of history, grown from a real one (the French bakery's
 * 21 months of 52 products) by a seasonal block bootstrap, deterministic under `seed`:
 *
 * - every output week copies the days of one source week from the same time of year (± one
 *   week, drawn at random): weekday shape, closures, holidays and the products' joint ups and
 *   downs of that week travel together, as in a real shop;
 * - each product's level drifts from year to year (a random walk of ±7 % a year, interpolated
 *   daily), and each day's count is a Poisson draw around the copied count × drift, so no
 *   year repeats another;
 * - products past the source's count are variants of the busiest source products (named
 *   "<product> B", "C"…) selling 40–90 % of their source, drawing their own source weeks.
 *
 * Holiday flags travel with the sales they explain, so they may fall a few days off the
 * calendar's. The output ends on the source's last day.
 */
export function generateBakery(source: LogRow[], options: GenerateOptions): LogRow[] {
  const random = seededRandom(options.seed);
  const days = new Map<number, SourceDay>();
  const prices = new Map<string, number | null>();
  const totals = new Map<string, number>();
  for (const row of source) {
    const day = dayNumber(row.date);
    const entry = days.get(day) ?? { closed: false, holiday: false, sold: new Map() };
    entry.closed ||= row.closed;
    entry.holiday ||= row.holiday;
    entry.sold.set(row.product, row.sold);
    days.set(day, entry);
    if (row.unitPrice !== null || !prices.has(row.product)) prices.set(row.product, row.unitPrice);
    totals.set(row.product, (totals.get(row.product) ?? 0) + row.sold);
  }
  if (days.size < 14) throw new Error('the source needs at least two weeks of logs');
  const sourceDays = [...days.keys()].sort((a, b) => a - b);
  const last = sourceDays.at(-1)!;
  const weeks = [...new Set(sourceDays.map(monday))].filter((w) =>
    Array.from({ length: 7 }, (_, k) => days.has(w + k)).every(Boolean),
  );
  if (weeks.length === 0) throw new Error('the source has no complete week');

  const first = last - Math.round(options.years * 365.25) + 1;
  const yearsSpanned = Math.ceil((last - first + 1) / 365.25) + 1;
  const walk = () => {
    const knots = [0];
    for (let y = 1; y <= yearsSpanned; y++) knots.push(knots[y - 1]! + 0.07 * normal(random));
    return knots;
  };
  const names = [...totals.keys()].sort((a, b) => a.localeCompare(b));
  const busiest = [...names].sort((a, b) => totals.get(b)! - totals.get(a)!);
  const plans: Plan[] = [];
  for (let i = 0; i < options.products; i++) {
    const source = i < names.length ? names[i]! : busiest[(i - names.length) % busiest.length]!;
    const copy = Math.floor(i / names.length);
    plans.push({
      name: copy === 0 ? source : `${source} ${String.fromCharCode(65 + copy)}`,
      source,
      scale: copy === 0 ? 1 : 0.4 + 0.5 * random(),
      drift: walk(),
      price: prices.get(source) ?? null,
    });
  }

  const rows: LogRow[] = [];
  const copies = Math.ceil(options.products / names.length);
  for (let week = monday(first); week <= last; week += 7) {
    const season = seasonWeek(week + 3);
    const candidates = weeks.filter((w) => {
      const d = Math.abs(seasonWeek(w + 3) - season);
      return Math.min(d, 52 - d) <= 1;
    });
    const pool = candidates.length ? candidates : weeks;
    // One source week per copy (originals, variants B, C…): variants do not mirror their source.
    const drawn = Array.from({ length: copies }, () => pool[Math.floor(random() * pool.length)]!);
    for (let k = 0; k < 7; k++) {
      const day = week + k;
      if (day < first || day > last) continue;
      const date = dateOfDay(day);
      const years = (day - first) / 365.25;
      for (const [i, plan] of plans.entries()) {
        const from = days.get(drawn[Math.floor(i / names.length)]! + k)!;
        const y = Math.min(Math.floor(years), plan.drift.length - 2);
        const drift = Math.exp(
          plan.drift[y]! + (plan.drift[y + 1]! - plan.drift[y]!) * (years - y),
        );
        const copied = from.sold.get(plan.source) ?? 0;
        rows.push({
          date,
          product: plan.name,
          sold: from.closed ? 0 : poisson(copied * drift * plan.scale, random),
          closed: from.closed,
          holiday: from.holiday,
          unitPrice: plan.price,
        });
      }
    }
  }
  return rows;
}

function normal(random: () => number): number {
  return Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
}

const flag = (v: string | undefined) => v === '1' || v?.toLowerCase() === 'true';

/** Reads a daily-logs CSV (date, product, sold, closed, holiday, unit_price). */
export function readLogRows(path: string): LogRow[] {
  const records = parse(readFileSync(path, 'utf8'), {
    columns: true,
    skip_empty_lines: true,
  }) as Record<string, string>[];
  return records
    .filter((r) => r.date && r.product && r.sold !== undefined && r.sold !== '')
    .map((r) => ({
      date: r.date!,
      product: r.product!,
      sold: Number(r.sold),
      closed: flag(r.closed),
      holiday: flag(r.holiday),
      unitPrice: r.unit_price ? Number(r.unit_price) : null,
    }));
}

export function writeLogRows(path: string, rows: LogRow[]): void {
  writeFileSync(
    path,
    stringify([
      ['date', 'product', 'sold', 'closed', 'holiday', 'unit_price'],
      ...rows.map((r) => [
        r.date,
        r.product,
        r.sold,
        r.closed ? 1 : 0,
        r.holiday ? 1 : 0,
        r.unitPrice ?? '',
      ]),
    ]),
  );
}
