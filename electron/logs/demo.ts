import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { ImportSummary } from '../api/contract/imports.ts';
import type { ProductCategory } from '../api/contract/products.ts';
import { openDatabase, type Db } from '../store/database.ts';
import { commitImport } from './import/importer.ts';
import { fileSource } from './import/source.ts';
import { findProductByName, updateProduct } from './products.ts';
import { bakeryDate, refillHolidays, setSettings } from './settings.ts';
import { addDays, daysBetween } from '../../federated/calendar/dates.ts';

/** The shipped copy of the chain's sales (BSD 3-Clause, see data/SOURCES.md). */
export const bakeryChainCsv = fileURLToPath(
  new URL('../../data/bakery-chain.csv', import.meta.url),
);

const demoRegion = { country: 'DE', state: 'NW' };

/** Store 2 has the fewest closed days of the 20. */
export const defaultDemoStore = '2';

/** Plausible German bakery prices and costs (EUR) for the chain's three products. */
const demoProducts: Record<
  string,
  { name: string; category: ProductCategory; unitPrice: number; unitCost: number }
> = {
  roll: { name: 'Roll', category: 'rolls', unitPrice: 0.4, unitCost: 0.12 },
  seeded_roll: { name: 'Seeded roll', category: 'rolls', unitPrice: 0.65, unitCost: 0.2 },
  pretzel: { name: 'Pretzel', category: 'snack', unitPrice: 0.85, unitCost: 0.25 },
};

export type DemoOptions = {
  /** Which store of the chain file (default "2"). */
  store?: string;
  /** Another copy of the chain file (default: the one shipped in data/). */
  csvPath?: string;
  shopName?: string;
  now?: Date;
  /**
   * Move the history forward by whole weeks so that it ends within the week before `now`: the
   * shipped data stops in 2019, and a demo should open on yesterday's figures and a forecast
   * for tomorrow. Weekdays (and so the weekly pattern and Sunday closures) are kept; the
   * holiday calendar is applied again to the new dates.
   */
  moveToRecent?: boolean;
};

/**
 * Builds a demo bakery from one store of the real chain data: its 1,215 days of sales, day
 * context (closed, weather, and the file's own holiday flags, named from the DE-NW calendar), and product settings a bakery would enter.
 * Returns the open database; refuses to touch an existing file.
 */
export async function createDemoDatabase(
  path: string,
  options: DemoOptions = {},
): Promise<{ db: Db; summary: ImportSummary }> {
  if (existsSync(path))
    throw new Error(`${path} exists already: the demo is built into a new file only.`);
  const store = options.store ?? defaultDemoStore;
  const now = options.now ?? new Date();
  const db = openDatabase(path);
  try {
    setSettings(db, {
      shopName: options.shopName ?? `Demo bakery (chain store ${store})`,
      language: 'en',
      holidayRegion: demoRegion,
    });
    const summary = await commitImport(db, fileSource(options.csvPath ?? bakeryChainCsv), {
      store,
      now,
    });
    db.transaction(() => {
      for (const [key, settings] of Object.entries(demoProducts)) {
        const product = findProductByName(db, key);
        if (product) updateProduct(db, product.id, { ...settings, shelfLifeDays: 1 }, now);
      }
      if (options.moveToRecent) moveHistoryToRecent(db, now);
    })();
    return { db, summary };
  } catch (error) {
    db.close();
    throw error;
  }
}

/** Shifts every dated row by the whole number of weeks that brings the last log closest to now. */
function moveHistoryToRecent(db: Db, now: Date): void {
  const last = db
    .prepare<[], { last: string | null }>('SELECT max(date) AS last FROM daily_logs')
    .get()?.last;
  if (!last) return;
  const yesterday = addDays(bakeryDate(db, now), -1);
  const weeks = Math.floor(daysBetween(last, yesterday) / 7);
  if (weeks <= 0) return;
  // Two passes through a far-away century, so no moved row lands on a row not yet moved.
  const far = 36_500;
  for (const shift of [`+${far} days`, `${weeks * 7 - far} days`])
    for (const table of ['daily_logs', 'day_context', 'log_edits'])
      db.prepare(`UPDATE ${table} SET date = date(date, ?)`).run(shift);
  refillHolidays(db, demoRegion);
}
