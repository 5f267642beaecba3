import type { ImportColumn, ImportProblem } from '../../api/contract/imports.ts';
import { productCategory, type ProductCategory } from '../../api/contract/products.ts';
import {
  wasteOutcome,
  wasteReason,
  type WasteOutcome,
  type WasteReason,
} from '../../api/contract/logs.ts';
import { isRealDate } from '../calendar.ts';
import { nameKey } from '../products.ts';
import { countProblem, isClockTime } from '../validation.ts';
import type { ColumnIndex } from './columns.ts';

/** One data line, checked field by field. Counts are whole and non-negative. */
export type ParsedRow = {
  line: number;
  date: string;
  product: string;
  /** Case-insensitive product identity (see nameKey). */
  key: string;
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
  soldOut: boolean;
  soldOutTime: string | null;
  wasteReason: WasteReason | null;
  wasteOutcome: WasteOutcome | null;
  note: string | null;
  /** Stock carried in from earlier days; filled when the file is planned against the database. */
  carriedOver: number;
};

const truthy = new Set(['1', 'true', 'yes', 'y', 'ja', 'oui']);
const falsy = new Set(['0', 'false', 'no', 'n', 'nein', 'non']);
const numeric = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

/** Dates repeat on every product's line: check each distinct one once, and share its string. */
const dateVerdicts = new Map<string, { date: string; problem: string | null }>();
function checkedDate(date: string): { date: string; problem: string | null } {
  let verdict = dateVerdicts.get(date);
  if (verdict === undefined) {
    const problem = !/^\d{4}-\d{2}-\d{2}$/.test(date)
      ? `date "${date.slice(0, 40)}" is not written as YYYY-MM-DD.`
      : isRealDate(date)
        ? null
        : `date ${date} does not exist in the calendar.`;
    if (dateVerdicts.size > 100_000) dateVerdicts.clear();
    verdict = { date, problem };
    dateVerdicts.set(date, verdict);
  }
  return verdict;
}

/**
 * A product's name repeats on thousands of lines: share one string (and its key) per name, so
 * memory grows with the rows' numbers, not with copies of the same text.
 */
const names = new Map<string, { name: string; key: string }>();
function interned(name: string): { name: string; key: string } {
  let found = names.get(name);
  if (!found) {
    if (names.size > 50_000) names.clear();
    found = { name, key: nameKey(name) };
    names.set(name, found);
  }
  return found;
}

/** Reads typed cells of one record, collecting every problem of the line. */
class LineReader {
  readonly problems: ImportProblem[] = [];
  constructor(
    private readonly record: readonly string[],
    private readonly line: number,
    private readonly index: ColumnIndex,
  ) {}

  problem(column: ImportColumn, message: string): void {
    this.problems.push({ line: this.line, column, message });
  }

  text(column: ImportColumn): string | null {
    const at = this.index[column];
    if (at === undefined) return null;
    const value = this.record[at]?.trim();
    if (value === undefined || value === '') return null;
    // Our export guards spreadsheet formulas with a leading apostrophe ('=…): read it back as typed.
    return value.startsWith("'") && /^'[=+\-@]/.test(value) ? value.slice(1) : value;
  }

  count(column: ImportColumn, required: boolean): number | null {
    const raw = this.text(column);
    if (raw === null) {
      if (required) this.problem(column, `${column} is empty.`);
      return null;
    }
    const value = numeric.test(raw) ? Number(raw) : Number.NaN;
    if (Number.isNaN(value)) {
      this.problem(column, `${column} "${raw.slice(0, 40)}" is not a number.`);
      return null;
    }
    const wrong = countProblem(column, value);
    if (wrong) {
      this.problem(column, `${wrong.replace(/\.$/, '')} (got ${raw}).`);
      return null;
    }
    return value;
  }

  decimal(column: ImportColumn, min: number, max: number, range: string): number | null {
    const raw = this.text(column);
    if (raw === null) return null;
    const value = numeric.test(raw) ? Number(raw) : Number.NaN;
    if (!Number.isFinite(value)) {
      const hint = /^-?\d+,\d+$/.test(raw) ? ' (use a dot as the decimal separator)' : '';
      this.problem(column, `${column} "${raw.slice(0, 40)}" is not a number${hint}.`);
      return null;
    }
    if (value < min || value > max) {
      this.problem(column, `${column} must be ${range} (got ${raw}).`);
      return null;
    }
    return value;
  }

  flag(column: ImportColumn): boolean | null {
    const raw = this.text(column)?.toLowerCase() ?? null;
    if (raw === null) return null;
    if (truthy.has(raw)) return true;
    if (falsy.has(raw)) return false;
    this.problem(column, `${column} "${raw.slice(0, 40)}" is not 0/1 (or yes/no).`);
    return null;
  }

  choice<T extends string>(column: ImportColumn, options: readonly T[]): T | null {
    const raw = this.text(column)?.toLowerCase() ?? null;
    if (raw === null) return null;
    if ((options as readonly string[]).includes(raw)) return raw as T;
    this.problem(column, `${column} "${raw.slice(0, 40)}" is not one of ${options.join(', ')}.`);
    return null;
  }
}

/**
 * Checks one record. Returns the row, or every problem on that line (so a user fixes the
 * file in one pass instead of one error at a time).
 */
export function parseRecord(
  record: readonly string[],
  line: number,
  index: ColumnIndex,
): { row: ParsedRow } | { problems: ImportProblem[] } {
  const cells = new LineReader(record, line, index);
  const rawDate = cells.text('date');
  const date = rawDate === null ? null : checkedDate(rawDate);
  if (date === null) cells.problem('date', 'date is empty.');
  else if (date.problem) cells.problem('date', date.problem);
  const rawProduct = cells.text('product');
  const product = rawProduct === null ? null : interned(rawProduct);
  if (product === null) cells.problem('product', 'product is empty.');
  else if (product.name.length > 80)
    cells.problem('product', 'product name is longer than 80 characters.');

  const sold = cells.count('sold', true);
  const baked = cells.count('baked', false);
  const wasted = cells.count('wasted', false);
  const shelfLife = cells.count('shelf_life_days', false);
  if (shelfLife !== null && (shelfLife < 1 || shelfLife > 60))
    cells.problem(
      'shelf_life_days',
      `shelf_life_days must be between 1 and 60 (got ${shelfLife}).`,
    );
  const soldOutTime = cells.text('sold_out_time');
  if (soldOutTime !== null && !isClockTime(soldOutTime))
    cells.problem('sold_out_time', `sold_out_time "${soldOutTime.slice(0, 20)}" is not HH:MM.`);
  const note = cells.text('note');
  if (note !== null && note.length > 500)
    cells.problem('note', `note is longer than 500 characters (${note.length}).`);

  const row: ParsedRow = {
    line,
    date: date?.date ?? '',
    product: product?.name ?? '',
    key: product?.key ?? '',
    sold: sold ?? 0,
    baked,
    wasted,
    category: cells.choice('category', productCategory.options),
    shelfLifeDays: shelfLife,
    unitPrice: cells.decimal('unit_price', 0, 100_000, 'between 0 and 100000'),
    unitCost: cells.decimal('unit_cost', 0, 100_000, 'between 0 and 100000'),
    closed: cells.flag('closed'),
    temperature: cells.decimal('temperature', -60, 60, 'between -60 and 60 °C'),
    rain: cells.decimal('rain', 0, 10_000, 'between 0 and 10000 mm'),
    holiday: cells.flag('holiday'),
    store: cells.text('store'),
    soldOut: cells.flag('sold_out') ?? false,
    soldOutTime,
    wasteReason: cells.choice('waste_reason', wasteReason.options),
    wasteOutcome: cells.choice('waste_outcome', wasteOutcome.options),
    note,
    carriedOver: 0,
  };
  return cells.problems.length > 0 ? { problems: cells.problems } : { row };
}
