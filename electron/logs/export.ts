import { stringify } from 'csv-stringify/sync';
import type { Db } from '../store/database.ts';

/** Export columns: the import format, so an export imports back into an empty database unchanged. */
export const exportColumns = [
  'date',
  'product',
  'sold',
  'baked',
  'wasted',
  'category',
  'shelf_life_days',
  'unit_price',
  'unit_cost',
  'closed',
  'holiday',
  'temperature',
  'rain',
  'sold_out',
  'sold_out_time',
  'waste_reason',
  'waste_outcome',
  'note',
] as const;

type ExportRecord = Record<(typeof exportColumns)[number], string | number | null>;

/**
 * Spreadsheets run a cell that starts with = + - @ (or a tab / carriage return) as a formula:
 * a product or note typed as "=HYPERLINK(...)" must not become one when the owner opens the
 * export (CSV injection). Such text cells get a leading apostrophe; numbers are left alone.
 */
const formulaStart = /^[=+\-@\t\r]/;
const safeCell = (value: string | number | null): string | number =>
  value === null ? '' : typeof value === 'string' && formulaStart.test(value) ? `'${value}` : value;

/** Every log row with its product and day facts, by date then product name. */
export function exportCsv(db: Db): { csv: string; rows: number } {
  const records = db
    .prepare<[], ExportRecord>(
      `SELECT l.date, p.name AS product, l.sold, l.baked, l.wasted, p.category,
              p.shelf_life_days, p.unit_price, p.unit_cost,
              d.closed, d.holiday, d.temperature, d.rain,
              l.sold_out, l.sold_out_time, l.waste_reason, l.waste_outcome, l.note
       FROM daily_logs l
       JOIN products p ON p.id = l.product_id
       LEFT JOIN day_context d ON d.date = l.date
       ORDER BY l.date, p.name_key`,
    )
    .all();
  const csv = stringify(
    records.map((r) => exportColumns.map((c) => safeCell(r[c] ?? null))),
    { header: true, columns: [...exportColumns], record_delimiter: 'unix' },
  );
  return { csv, rows: records.length };
}
