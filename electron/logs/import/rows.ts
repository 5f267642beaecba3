import type { ImportColumn, ImportProblem } from '../../api/contract/imports.ts';
import { productCategory, type ProductCategory } from '../../api/contract/products.ts';
import {
  wasteOutcome,
  wasteReason,
  type WasteOutcome,
  type WasteReason,
} from '../../api/contract/logs.ts';
import { isClockTime, isRealDate } from '../../../federated/calendar/dates.ts';
import type { DateFormat } from '../../api/contract/imports.ts';
import { readDate, readNumber } from './dialect.ts';
import { nameKey } from '../products.ts';
import { countProblem, maxCount } from '../validation.ts';
import type { ImportProblemReason } from '../../api/contract/messages/index.ts';
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

const truthy = new Set(['1', 'true', 'yes', 'y', 'ja', 'j', 'x', 'oui', 'o', 'wahr', 'vrai']);
const falsy = new Set(['0', 'false', 'no', 'n', 'nein', 'non', 'falsch', 'faux']);
const maxNameLength = 80;
const maxNoteLength = 500;

/** How the file writes dates and numbers (see dialect.ts). */
export type RowDialect = { dateFormat: DateFormat; decimalComma: boolean };
const isoDialect: RowDialect = { dateFormat: 'yyyy-mm-dd', decimalComma: false };

type DateProblem = 'format' | 'calendar' | null;

/**
 * Dates repeat on every product's line: check each distinct one once, and share its string.
 * The verdict is a kind, not words, so one cache serves every language.
 */
const dateVerdicts = new Map<string, { date: string; problem: DateProblem }>();
function checkedDate(raw: string, format: DateFormat): { date: string; problem: DateProblem } {
  const key = `${format}|${raw}`;
  let verdict = dateVerdicts.get(key);
  if (verdict === undefined) {
    const date = readDate(raw, format);
    verdict =
      date === null
        ? { date: raw, problem: 'format' }
        : { date, problem: isRealDate(date) ? null : 'calendar' };
    if (dateVerdicts.size > 100_000) dateVerdicts.clear();
    dateVerdicts.set(key, verdict);
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
    private readonly decimalComma: boolean,
  ) {}

  problem(column: ImportColumn, reason: ImportProblemReason): void {
    this.problems.push({ line: this.line, column, reason });
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
      if (required) this.problem(column, { code: 'import.empty', params: { column } });
      return null;
    }
    const value = readNumber(raw, this.decimalComma);
    const shown = raw.slice(0, 40);
    if (Number.isNaN(value)) {
      const params = { column, raw: shown, commaDecimal: false };
      this.problem(column, { code: 'import.notANumber', params });
      return null;
    }
    const wrong = countProblem(value);
    if (wrong === 'tooLarge')
      this.problem(column, {
        code: 'import.tooLarge',
        params: { column, raw: shown, max: maxCount },
      });
    else if (wrong === 'negative' || wrong === 'notWhole')
      this.problem(column, { code: `import.${wrong}`, params: { column, raw: shown } });
    return wrong ? null : value;
  }

  decimal(
    column: ImportColumn,
    min: number,
    max: number,
    unit: '' | '°C' | 'mm' = '',
  ): number | null {
    const raw = this.text(column);
    if (raw === null) return null;
    const value = readNumber(raw, this.decimalComma);
    const shown = raw.slice(0, 40);
    if (!Number.isFinite(value)) {
      const commaDecimal = !this.decimalComma && /^-?\d+,\d+$/.test(raw);
      this.problem(column, {
        code: 'import.notANumber',
        params: { column, raw: shown, commaDecimal },
      });
      return null;
    }
    if (value < min || value > max) {
      this.problem(column, {
        code: 'import.outOfRange',
        params: { column, raw: shown, min, max, unit },
      });
      return null;
    }
    return value;
  }

  flag(column: ImportColumn): boolean | null {
    const raw = this.text(column)?.toLowerCase() ?? null;
    if (raw === null) return null;
    if (truthy.has(raw)) return true;
    if (falsy.has(raw)) return false;
    this.problem(column, { code: 'import.notFlag', params: { column, raw: raw.slice(0, 40) } });
    return null;
  }

  choice<T extends string>(column: ImportColumn, options: readonly T[]): T | null {
    const raw = this.text(column)?.toLowerCase() ?? null;
    if (raw === null) return null;
    if ((options as readonly string[]).includes(raw)) return raw as T;
    const params = { column, raw: raw.slice(0, 40), options: [...options] };
    this.problem(column, { code: 'import.notOneOf', params });
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
  dialect: RowDialect = isoDialect,
): { row: ParsedRow } | { problems: ImportProblem[] } {
  const cells = new LineReader(record, line, index, dialect.decimalComma);
  const rawDate = cells.text('date');
  const date = rawDate === null ? null : checkedDate(rawDate, dialect.dateFormat);
  if (date === null) cells.problem('date', { code: 'import.empty', params: { column: 'date' } });
  else if (date.problem === 'format')
    cells.problem('date', {
      code: 'import.dateFormat',
      params: { raw: date.date.slice(0, 40), format: dialect.dateFormat },
    });
  else if (date.problem === 'calendar')
    cells.problem('date', { code: 'import.dateNotInCalendar', params: { date: date.date } });
  const rawProduct = cells.text('product');
  const product = rawProduct === null ? null : interned(rawProduct);
  if (product === null)
    cells.problem('product', { code: 'import.empty', params: { column: 'product' } });
  else if (product.name.length > maxNameLength)
    cells.problem('product', { code: 'import.productTooLong', params: { max: maxNameLength } });

  const sold = cells.count('sold', true);
  const baked = cells.count('baked', false);
  const wasted = cells.count('wasted', false);
  const shelfLife = cells.count('shelf_life_days', false);
  if (shelfLife !== null && (shelfLife < 1 || shelfLife > 60))
    cells.problem('shelf_life_days', {
      code: 'import.shelfLifeRange',
      params: { days: shelfLife },
    });
  const soldOutTime = cells.text('sold_out_time');
  if (soldOutTime !== null && !isClockTime(soldOutTime))
    cells.problem('sold_out_time', {
      code: 'import.badTime',
      params: { raw: soldOutTime.slice(0, 20) },
    });
  const note = cells.text('note');
  if (note !== null && note.length > maxNoteLength)
    cells.problem('note', {
      code: 'import.noteTooLong',
      params: { length: note.length, max: maxNoteLength },
    });

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
    unitPrice: cells.decimal('unit_price', 0, 100_000),
    unitCost: cells.decimal('unit_cost', 0, 100_000),
    closed: cells.flag('closed'),
    temperature: cells.decimal('temperature', -60, 60, '°C'),
    rain: cells.decimal('rain', 0, 10_000, 'mm'),
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
