import type { ImportColumn, ImportProblem } from '../../api/contract/imports.ts';
import { productCategory, type ProductCategory } from '../../api/contract/products.ts';
import {
  wasteOutcome,
  wasteReason,
  type WasteOutcome,
  type WasteReason,
} from '../../api/contract/logs.ts';
import { isRealDate } from '../calendar.ts';
import { countProblem, isClockTime } from '../validation.ts';
import type { ColumnIndex } from './columns.ts';

/** One data line, checked field by field. Counts are whole and non-negative. */
export type ParsedRow = {
  line: number;
  date: string;
  product: string;
  sold: number;
  baked: number | null;
  wasted: number | null;
  category: ProductCategory | null;
  shelfLifeDays: number | null;
  unitPrice: number | null;
  unitCost: number | null;
  closed: boolean | null;
  temperature: number | null;
  rain: number | null;
  holiday: boolean | null;
  store: string | null;
  soldOut: boolean | null;
  soldOutTime: string | null;
  wasteReason: WasteReason | null;
  wasteOutcome: WasteOutcome | null;
  note: string | null;
};

const truthy = new Set(['1', 'true', 'yes', 'y', 'ja', 'oui']);
const falsy = new Set(['0', 'false', 'no', 'n', 'nein', 'non']);

/**
 * Checks one record. Returns the row, or every problem on that line (so a user fixes the
 * file in one pass instead of one error at a time).
 */
export function parseRecord(
  record: readonly string[],
  line: number,
  index: ColumnIndex,
): { row: ParsedRow } | { problems: ImportProblem[] } {
  const problems: ImportProblem[] = [];
  const problem = (column: ImportColumn, message: string) =>
    problems.push({ line, column, message });
  const cell = (column: ImportColumn): string | null => {
    const at = index[column];
    if (at === undefined) return null;
    const value = record[at];
    return value === undefined ? null : value.trim();
  };
  const present = (column: ImportColumn): string | null => {
    const value = cell(column);
    return value === null || value === '' ? null : value;
  };

  const count = (column: ImportColumn, required: boolean): number | null => {
    const raw = present(column);
    if (raw === null) {
      if (required) problem(column, `${column} is empty.`);
      return null;
    }
    const value = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(raw) ? Number(raw) : Number.NaN;
    if (Number.isNaN(value)) {
      problem(column, `${column} "${raw.slice(0, 40)}" is not a number.`);
      return null;
    }
    const wrong = countProblem(column, value);
    if (wrong) {
      problem(column, `${wrong.replace(/\.$/, '')} (got ${raw}).`);
      return null;
    }
    return value;
  };
  const decimal = (column: ImportColumn, check?: (n: number) => string | null): number | null => {
    const raw = present(column);
    if (raw === null) return null;
    const value = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(raw) ? Number(raw) : Number.NaN;
    if (!Number.isFinite(value)) {
      const hint = /^-?\d+,\d+$/.test(raw) ? ' (use a dot as the decimal separator)' : '';
      problem(column, `${column} "${raw.slice(0, 40)}" is not a number${hint}.`);
      return null;
    }
    const wrong = check?.(value);
    if (wrong) {
      problem(column, wrong);
      return null;
    }
    return value;
  };
  const flag = (column: ImportColumn): boolean | null => {
    const raw = present(column)?.toLowerCase() ?? null;
    if (raw === null) return null;
    if (truthy.has(raw)) return true;
    if (falsy.has(raw)) return false;
    problem(column, `${column} "${raw.slice(0, 40)}" is not 0/1 (or yes/no).`);
    return null;
  };
  const choice = <T extends string>(column: ImportColumn, options: readonly T[]): T | null => {
    const raw = present(column)?.toLowerCase() ?? null;
    if (raw === null) return null;
    if ((options as readonly string[]).includes(raw)) return raw as T;
    problem(column, `${column} "${raw.slice(0, 40)}" is not one of ${options.join(', ')}.`);
    return null;
  };

  const date = present('date');
  if (date === null) problem('date', 'date is empty.');
  else if (!/^\d{4}-\d{2}-\d{2}$/.test(date))
    problem('date', `date "${date.slice(0, 40)}" is not written as YYYY-MM-DD.`);
  else if (!isRealDate(date)) problem('date', `date ${date} does not exist in the calendar.`);

  const product = present('product');
  if (product === null) problem('product', 'product is empty.');
  else if (product.length > 80) problem('product', 'product name is longer than 80 characters.');

  const sold = count('sold', true);
  const baked = count('baked', false);
  const wasted = count('wasted', false);
  const shelfLife = count('shelf_life_days', false);
  if (shelfLife !== null && (shelfLife < 1 || shelfLife > 60))
    problem('shelf_life_days', `shelf_life_days must be between 1 and 60 (got ${shelfLife}).`);
  const money = (n: number) => (n < 0 ? 'A price or cost cannot be negative.' : null);
  const soldOutTime = present('sold_out_time');
  if (soldOutTime !== null && !isClockTime(soldOutTime))
    problem('sold_out_time', `sold_out_time "${soldOutTime.slice(0, 20)}" is not HH:MM.`);

  const note = present('note');
  if (note !== null && note.length > 500)
    problem('note', `note is longer than 500 characters (${note.length}).`);

  const row: ParsedRow = {
    line,
    date: date ?? '',
    product: product ?? '',
    sold: sold ?? 0,
    baked,
    wasted,
    category: choice('category', productCategory.options),
    shelfLifeDays: shelfLife,
    unitPrice: decimal('unit_price', money),
    unitCost: decimal('unit_cost', money),
    closed: flag('closed'),
    temperature: decimal('temperature', (n) =>
      n < -60 || n > 60 ? 'temperature must be between -60 and 60 °C.' : null,
    ),
    rain: decimal('rain', (n) => (n < 0 ? 'rain cannot be negative.' : null)),
    holiday: flag('holiday'),
    store: present('store'),
    soldOut: flag('sold_out'),
    soldOutTime,
    wasteReason: choice('waste_reason', wasteReason.options),
    wasteOutcome: choice('waste_outcome', wasteOutcome.options),
    note,
  };
  return problems.length > 0 ? { problems } : { row };
}
