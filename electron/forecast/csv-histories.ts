import { readFileSync } from 'node:fs';
import { parse } from 'csv-parse/sync';
import type { Category, ProductHistory } from '../../federated/features/history.ts';

/** A product as the forecast engine needs it, whatever storage it came from. */
export type ProductSeries = {
  productId: number;
  name: string;
  unitPrice: number | null;
  unitCost: number | null;
  /** Minimum bakes, Monday first, or null. */
  parLevels: number[] | null;
  history: ProductHistory;
};

/** Best guess of the shared category from a product name (for CSV imports without one). */
export function guessCategory(name: string): Category {
  const n = name.toLowerCase();
  if (/roll|bun|brötchen|pretzel|breze|banettine|ficelle/.test(n)) return 'rolls';
  if (/croissant|chocolat|chausson|pain aux raisins|kouign|brioche|viennois|danish/.test(n))
    return 'pastry';
  if (/tart|eclair|éclair|cake|gateau|gâteau|flan|paris|millefeuille|fraisier|macaron/.test(n))
    return 'cake';
  if (/sandwich|cookie|formule|quiche|pizza|snack|cafe|café|boisson|eau/.test(n)) return 'snack';
  if (/bread|baguette|pain|boule|banette|campagne|complet|cereal|moisson|coupe|seigle/.test(n))
    return 'bread';
  return 'other';
}

const num = (v: string | undefined): number | null => {
  if (v === undefined || v.trim() === '') return null;
  const n = Number(v);
  return Number.isFinite(n) ? n : null;
};
const bool = (v: string | undefined) => v === '1' || v?.toLowerCase() === 'true';

/**
 * Reads a daily-logs CSV (date, product, sold, closed, and optionally store, holiday,
 * temperature, rain, sold_out, unit_price, unit_cost) into per-product histories.
 * With `store`, only that store's rows are read (each chain store is one bakery).
 */
export function loadCsvHistories(path: string, options: { store?: string } = {}): ProductSeries[] {
  const rows = parse(readFileSync(path, 'utf8'), {
    columns: true,
    skip_empty_lines: true,
  }) as Record<string, string>[];
  const byProduct = new Map<string, { rows: Record<string, string>[]; price: number | null }>();
  for (const row of rows) {
    if (options.store !== undefined && row.store !== options.store) continue;
    const name = row.product ?? '';
    const entry = byProduct.get(name) ?? { rows: [], price: null };
    entry.rows.push(row);
    const price = num(row.unit_price);
    if (price !== null && price > 0) entry.price = price;
    byProduct.set(name, entry);
  }
  let id = 0;
  return [...byProduct.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([name, entry]) => {
      const days = entry.rows
        .map((row) => ({
          date: row.date ?? '',
          sold: num(row.sold),
          closed: bool(row.closed),
          soldOut: bool(row.sold_out),
          holiday: bool(row.holiday),
          temperature: num(row.temperature),
          rain: num(row.rain),
        }))
        .sort((a, b) => a.date.localeCompare(b.date));
      return {
        productId: ++id,
        name,
        unitPrice: entry.price,
        unitCost: num(entry.rows[0]?.unit_cost),
        parLevels: null,
        history: { category: guessCategory(name), shelfLifeDays: 1, days },
      };
    });
}
