import { categories, type Category, type HistoryDay } from '../../federated/features/history.ts';
import { isHoliday } from '../logs/holidays.ts';
import { getSettings } from '../logs/settings.ts';
import { addDays } from '../../federated/calendar/dates.ts';
import type { Db } from '../store/database.ts';
import type { ProductSeries } from './csv-histories.ts';

type ProductRow = {
  id: number;
  name: string;
  category: string;
  shelf_life_days: number;
  unit_price: number | null;
  unit_cost: number | null;
  par_levels: string | null;
};
type LogRow = { date: string; product_id: number; sold: number; sold_out: number };
type ContextRow = {
  date: string;
  closed: number;
  holiday: number;
  temperature: number | null;
  rain: number | null;
};

function parLevels(raw: string | null): number[] | null {
  if (!raw) return null;
  try {
    const value = JSON.parse(raw) as unknown;
    return Array.isArray(value) && value.length === 7 && value.every((v) => typeof v === 'number')
      ? (value as number[])
      : null;
  } catch {
    return null;
  }
}

/**
 * Every active product's daily history from the bakery database: logged days plus any known
 * context (closures, holidays, weather) after the first log, including days still ahead.
 */
export function loadHistories(db: Db, options: { productIds?: number[] } = {}): ProductSeries[] {
  const products = db
    .prepare(
      'SELECT id, name, category, shelf_life_days, unit_price, unit_cost, par_levels FROM products WHERE active = 1 ORDER BY name',
    )
    .all() as ProductRow[];
  const logs = db
    .prepare('SELECT date, product_id, sold, sold_out FROM daily_logs ORDER BY date')
    .all() as LogRow[];
  const context = new Map(
    (
      db
        .prepare('SELECT date, closed, holiday, temperature, rain FROM day_context ORDER BY date')
        .all() as ContextRow[]
    ).map((c) => [c.date, c]),
  );
  const byProduct = new Map<number, LogRow[]>();
  for (const log of logs) {
    const list = byProduct.get(log.product_id) ?? [];
    list.push(log);
    byProduct.set(log.product_id, list);
  }
  const wanted = options.productIds ? new Set(options.productIds) : null;
  return products
    .filter((p) => !wanted || wanted.has(p.id))
    .map((p) => {
      const own = byProduct.get(p.id) ?? [];
      const first = own[0]?.date;
      const days = new Map<string, HistoryDay>();
      const dayOf = (date: string): HistoryDay => {
        const c = context.get(date);
        return {
          date,
          sold: null,
          closed: c?.closed === 1,
          soldOut: false,
          holiday: c?.holiday === 1,
          temperature: c?.temperature ?? null,
          rain: c?.rain ?? null,
        };
      };
      for (const log of own) {
        days.set(log.date, { ...dayOf(log.date), sold: log.sold, soldOut: log.sold_out === 1 });
      }
      if (first)
        for (const date of context.keys())
          if (date > first && !days.has(date)) days.set(date, dayOf(date));
      const category: Category = (categories as readonly string[]).includes(p.category)
        ? (p.category as Category)
        : 'other';
      return {
        productId: p.id,
        name: p.name,
        unitPrice: p.unit_price,
        unitCost: p.unit_cost,
        parLevels: parLevels(p.par_levels),
        history: {
          category,
          shelfLifeDays: p.shelf_life_days,
          days: [...days.values()].sort((a, b) => a.date.localeCompare(b.date)),
        },
      };
    });
}

/** The most recent day with any sales logged, or null for an empty bakery. */
export function lastLoggedDate(db: Db): string | null {
  const row = db.prepare('SELECT max(date) AS d FROM daily_logs').get() as { d: string | null };
  return row.d;
}

/**
 * Adds the public holidays of the days around a forecast date from the shop's holiday calendar,
 * where no day context is stored yet (the logs stop at today; holidays ahead are still known).
 */
export function withCalendarAhead(
  db: Db,
  products: ProductSeries[],
  date: string,
): ProductSeries[] {
  const region = getSettings(db).holidayRegion;
  const ahead = [0, 1, 2].map((i) => addDays(date, i));
  return products.map((p) => {
    const known = new Set(p.history.days.map((d) => d.date));
    const extra: HistoryDay[] = ahead
      .filter((d) => !known.has(d))
      .map((d) => ({
        date: d,
        sold: null,
        closed: false,
        soldOut: false,
        holiday: isHoliday(region, d) !== null,
        temperature: null,
        rain: null,
      }));
    if (extra.length === 0) return p;
    const days = [...p.history.days, ...extra].sort((a, b) => a.date.localeCompare(b.date));
    return { ...p, history: { ...p.history, days } };
  });
}
