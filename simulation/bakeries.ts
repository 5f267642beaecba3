import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { parse } from 'csv-parse/sync';
import { addDays } from '../federated/calendar/dates.ts';
import { extractSamples, type Sample } from '../federated/features/extract.ts';
import { loadCsvHistories, type ProductSeries } from '../electron/forecast/csv-histories.ts';

/**
 * One simulated bakery: a (file, store) pair of the inputs. `history` holds everything the
 * bakery knows (training days and held-out days, so day-ahead features can be rolled forward);
 * `training` holds only what it knew before its first held-out day.
 */
export type SimBakery = {
  id: string;
  file: string;
  store: string | null;
  /** Full histories (from the first training day on), used to forecast held-out days. */
  products: ProductSeries[];
  firstHoldout: string;
  lastDate: string;
  trainingSamples: Sample[];
  /** Open days with sales before the holdout (what the bakery trained on). */
  trainDays: number;
};

export type SplitOptions = { holdoutDays: number; trainDays?: number };

/** The distinct `store` values of a daily-logs CSV (numeric order), or [null] without the column. */
export function storesOf(path: string): (string | null)[] {
  const rows = parse(readFileSync(path, 'utf8'), {
    columns: true,
    skip_empty_lines: true,
  }) as Record<string, string>[];
  if (rows.length === 0) throw new Error(`${path}: no rows`);
  if (!('store' in rows[0]!)) return [null];
  const stores = [...new Set(rows.map((r) => r.store ?? ''))];
  return stores.sort((a, b) => a.localeCompare(b, 'en', { numeric: true }));
}

function lastOpenDate(products: ProductSeries[]): string {
  return products
    .map((p) => p.history.days.findLast((d) => d.sold !== null && !d.closed)?.date ?? '')
    .reduce((a, b) => (a > b ? a : b), '');
}

/**
 * Splits one bakery: its last `holdoutDays` calendar days are held out; with `trainDays` only
 * the N days before them are kept at all (a young bakery knows nothing older, not even for lags).
 */
export function splitBakery(
  id: string,
  file: string,
  store: string | null,
  all: ProductSeries[],
  options: SplitOptions,
): SimBakery {
  const lastDate = lastOpenDate(all);
  if (!lastDate) throw new Error(`${id}: no sales logged`);
  const firstHoldout = addDays(lastDate, -options.holdoutDays + 1);
  const firstKept =
    options.trainDays === undefined ? '' : addDays(firstHoldout, -options.trainDays);
  const products = all
    .map((p) => ({
      ...p,
      history: {
        ...p.history,
        days: p.history.days.filter((d) => d.date >= firstKept && d.date <= lastDate),
      },
    }))
    .filter((p) => p.history.days.some((d) => d.sold !== null && !d.closed));
  const dayBefore = addDays(firstHoldout, -1);
  const trainingSamples = products.flatMap((p) => extractSamples(p.history, { to: dayBefore }));
  const openDays = new Set<string>();
  for (const p of products)
    for (const d of p.history.days)
      if (d.date < firstHoldout && d.sold !== null && !d.closed) openDays.add(d.date);
  return {
    id,
    file,
    store,
    products,
    firstHoldout,
    lastDate,
    trainingSamples,
    trainDays: openDays.size,
  };
}

/** Every distinct (file, store) of the inputs as one bakery, its id naming both. */
export function loadBakeries(files: string[], options: SplitOptions): SimBakery[] {
  const bakeries: SimBakery[] = [];
  for (const file of files) {
    for (const store of storesOf(file)) {
      const name = basename(file).replace(/\.csv$/i, '');
      const id = store === null ? name : `${name}#${store}`;
      const products = loadCsvHistories(file, store === null ? {} : { store });
      bakeries.push(splitBakery(id, file, store, products, options));
    }
  }
  return bakeries;
}
