import { parse } from 'csv-parse/sync';
import type { CsvDialect, DateFormat, Separator } from '../../api/contract/imports.ts';
import { isRealDate } from '../../../federated/calendar/dates.ts';

/**
 * How a bakery's CSV is written, read from a sample of it: Excel in Germany or France saves
 * "Datum;Artikel;Verkauft" with decimal commas and dd.mm.yyyy dates, in the PC's code page.
 * Pure: the caller hands over decoded text and, for the date and number checks, the columns.
 */

const separators: readonly Separator[] = [';', '\t', ','];

/** Counts a character outside double quotes, so "Brot, hell" is one field. */
function countOutsideQuotes(line: string, char: string): number {
  let count = 0;
  let quoted = false;
  for (const c of line) {
    if (c === '"') quoted = !quoted;
    else if (c === char && !quoted) count++;
  }
  return count;
}

/**
 * The separator that splits the header and the first lines into the same number of fields;
 * among those, the one giving the most fields. A lone comma-separated file stays comma.
 */
export function sniffSeparator(sample: string): Separator {
  const lines = sample
    .replace(/^\uFEFF/, '')
    .split(/\r?\n/)
    .filter((l) => l.trim() !== '')
    .slice(0, 30);
  if (lines.length === 0) return ',';
  let best: { separator: Separator; fields: number; consistent: boolean } | null = null;
  for (const separator of separators) {
    const counts = lines.map((l) => countOutsideQuotes(l, separator));
    const fields = counts[0]! + 1;
    if (fields < 2) continue;
    const consistent = counts.every((c) => c === counts[0]);
    if (
      !best ||
      (consistent && !best.consistent) ||
      (consistent === best.consistent && fields > best.fields)
    )
      best = { separator, fields, consistent };
  }
  return best?.separator ?? ',';
}

const timeSuffix = '(?:[ T]\\d{1,2}:\\d{2}(?::\\d{2})?)?';
const patterns: Record<DateFormat, { pattern: RegExp; order: [number, number, number] }> = {
  // [year, month, day] positions of the captured groups
  'yyyy-mm-dd': {
    pattern: new RegExp(`^(\\d{4})-(\\d{1,2})-(\\d{1,2})${timeSuffix}$`),
    order: [1, 2, 3],
  },
  'dd.mm.yyyy': {
    pattern: new RegExp(`^(\\d{1,2})\\.(\\d{1,2})\\.(\\d{4})${timeSuffix}$`),
    order: [3, 2, 1],
  },
  'dd/mm/yyyy': {
    pattern: new RegExp(`^(\\d{1,2})/(\\d{1,2})/(\\d{4})${timeSuffix}$`),
    order: [3, 2, 1],
  },
  'mm/dd/yyyy': {
    pattern: new RegExp(`^(\\d{1,2})/(\\d{1,2})/(\\d{4})${timeSuffix}$`),
    order: [3, 1, 2],
  },
};

/**
 * The YYYY-MM-DD a cell names in a format: null when the cell is not written that way. The
 * result may still be a day that does not exist (31.02.2024): `isRealDate` tells.
 */
export function readDate(raw: string, format: DateFormat): string | null {
  const { pattern, order } = patterns[format];
  const match = pattern.exec(raw.trim());
  if (!match) return null;
  const [y, m, d] = order.map((i) => match[i]!);
  return `${y}-${m!.padStart(2, '0')}-${d!.padStart(2, '0')}`;
}

const allFormats = Object.keys(patterns) as DateFormat[];

function fitCount(values: readonly string[], format: DateFormat): number {
  return values.filter((value) => {
    const date = readDate(value, format);
    return date !== null && isRealDate(date);
  }).length;
}

/**
 * Every format in which all the sample's dates are real days. Two candidates (dd/mm and mm/dd
 * when no day passes 12) mean the file is ambiguous and the user must say which it is.
 */
export function fittingDateFormats(values: readonly string[]): DateFormat[] {
  const distinct = [...new Set(values.map((v) => v.trim()).filter((v) => v !== ''))];
  if (distinct.length === 0) return [];
  return allFormats.filter((format) => fitCount(distinct, format) === distinct.length);
}

/** When no format fits every date, the one fitting most: its misfits become line problems. */
function closestDateFormat(values: readonly string[]): DateFormat {
  const distinct = [...new Set(values.map((v) => v.trim()))];
  return allFormats.reduce((best, format) =>
    fitCount(distinct, format) > fitCount(distinct, best) ? format : best,
  );
}

const plainNumber = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;
const commaNumber = /^[+-]?(\d{1,3}(\.\d{3})+|\d+)(,\d+)?$/;

/**
 * A number as written: with a decimal point, or, in a decimal-comma file, with a comma and
 * optional dots grouping thousands ("1.234,5"). NaN when it is not a number in that dialect.
 */
export function readNumber(raw: string, decimalComma: boolean): number {
  if (decimalComma) {
    if (!commaNumber.test(raw)) return Number.NaN;
    return Number(raw.replace(/\./g, '').replace(',', '.'));
  }
  return plainNumber.test(raw) ? Number(raw) : Number.NaN;
}

/**
 * True when the sample's numbers use a decimal comma: none is written like 1.5, and some like
 * 1,5 — or the file is semicolon-separated, which spreadsheets write exactly where the comma is
 * the decimal mark (so 1.234 there is a thousand and more). A comma-separated file cannot have
 * one (the cell would be split).
 */
export function usesDecimalComma(values: readonly string[], separator: Separator): boolean {
  if (separator === ',') return false;
  let comma = separator === ';';
  for (const raw of values) {
    const value = raw.trim();
    if (/^[+-]?\d+\.\d+$/.test(value) && !/^\d{1,3}\.\d{3}$/.test(value)) return false;
    if (/^[+-]?[\d.]*\d,\d+$/.test(value)) comma = true;
  }
  return comma;
}

/**
 * The dialect of a sample: its separator, then (from the cells of the given columns) its
 * decimal mark and the date formats that fit. `dateFormat` is the user's choice when given,
 * else the single fitting format, else null when several fit (ambiguous: the user must choose).
 * When none fits every date, the closest one is used so the misfits show as line problems.
 */
export function sniffDialect(
  sample: string,
  columnsOf: (headers: string[]) => { date?: number; numbers: number[] },
  chosen?: DateFormat,
): Omit<CsvDialect, 'encoding'> {
  const separator = sniffSeparator(sample);
  // The sample may end mid-line and mid-quote: parse whole lines only, and forgive the rest.
  const text = sample.slice(0, Math.max(sample.lastIndexOf('\n'), 0));
  const records = ((): string[][] => {
    try {
      return parse(text, {
        delimiter: separator,
        bom: true,
        relax_column_count: true,
        relax_quotes: true,
        skip_empty_lines: true,
      }) as string[][];
    } catch {
      return [];
    }
  })();
  const [headers = [], ...rows] = records;
  const columns = columnsOf(headers);
  const cells = (at: number | undefined) =>
    at === undefined ? [] : rows.map((r) => r[at] ?? '').filter((v) => v.trim() !== '');
  const dates = cells(columns.date);
  const dateFormats = fittingDateFormats(dates);
  const decimalComma = usesDecimalComma(columns.numbers.flatMap(cells), separator);
  const dateFormat =
    chosen ??
    (dateFormats.length === 1
      ? dateFormats[0]!
      : dateFormats.length === 0
        ? closestDateFormat(dates)
        : null);
  return { separator, decimalComma, dateFormat, dateFormats };
}
