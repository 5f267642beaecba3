import { CsvError, parse } from 'csv-parse';
import { parse as parseText } from 'csv-parse/sync';
import type {
  CsvDialect,
  DateFormat,
  ImportColumn,
  ImportProblem,
} from '../../api/contract/imports.ts';
import type { ProductCategory } from '../../api/contract/products.ts';
import { resolveColumns, type ResolvedColumns } from './columns.ts';
import { sniffDialect } from './dialect.ts';
import { parseRecord, type ParsedRow } from './rows.ts';
import { checkEncoding, FatalImportProblem, type CsvSource } from './source.ts';

/** What the file says about one product across its rows. */
export type FileProduct = {
  key: string;
  name: string;
  category: ProductCategory | null;
  categoryLine: number;
  shelfLifeDays: number | null;
  shelfLifeLine: number;
  /** The value on the latest date wins: prices change, the newest is the current one. */
  unitPrice: { value: number; date: string } | null;
  unitCost: { value: number; date: string } | null;
};

export type Analysis = {
  dialect: CsvDialect;
  headers: string[];
  columns: ResolvedColumns | null;
  rows: ParsedRow[];
  products: Map<string, FileProduct>;
  problems: ProblemLog;
  fatal: boolean;
  dataLines: number;
  invalidLines: number;
  stores: string[];
  otherStores: number;
};

/** Keeps the first problems for display and counts the rest, so a broken 50 MB file stays small. */
export class ProblemLog {
  readonly shown: ImportProblem[] = [];
  count = 0;
  constructor(readonly limit = 500) {}
  add(problem: ImportProblem): void {
    this.count++;
    if (this.shown.length < this.limit) this.shown.push(problem);
  }
}

export type AnalyseOptions = {
  mapping?: Partial<Record<ImportColumn, string>>;
  /** The user's answer when the dates fit more than one format. */
  dateFormat?: DateFormat;
  store?: string;
  onProgress?: (doneBytes: number, totalBytes: number) => void;
};

/** The header row of a file's first chunk, as the full parse reads it. */
function headerOf(sample: string, separator: string): string[] {
  const [header = []] = parseText(sample, {
    delimiter: separator,
    bom: true,
    to_line: 1,
    relax_column_count: true,
    relax_quotes: true,
  }) as string[][];
  return header.map((h) => h.replace(/^\uFEFF/, '').trim());
}

/**
 * Reads and checks a whole file without touching the database: every problem by line,
 * duplicates of (date, product), conflicting product facts, and which stores it holds.
 * Streams, so memory grows with the valid rows only, not with the text.
 */
export async function analyse(source: CsvSource, options: AnalyseOptions): Promise<Analysis> {
  const problems = new ProblemLog();
  const result: Analysis = {
    dialect: {
      encoding: 'utf-8',
      separator: ',',
      decimalComma: false,
      dateFormat: 'yyyy-mm-dd',
      dateFormats: [],
    },
    headers: [],
    columns: null,
    rows: [],
    products: new Map(),
    problems,
    fatal: false,
    dataLines: 0,
    invalidLines: 0,
    stores: [],
    otherStores: 0,
  };
  const fatal = (problem: ImportProblem) => {
    problems.add(problem);
    result.fatal = true;
    return result;
  };
  let doneBytes = 0;
  let lastReport = 0;
  async function* counted(): AsyncIterable<string> {
    for await (const chunk of checkEncoding(source.chunks())) {
      doneBytes += Buffer.byteLength(chunk);
      if (options.onProgress && doneBytes - lastReport > source.totalBytes / 50) {
        lastReport = doneBytes;
        options.onProgress(doneBytes, source.totalBytes);
      }
      yield chunk;
    }
  }
  try {
    result.dialect = await readDialect(source, options);
  } catch (error) {
    if (error instanceof FatalImportProblem) return fatal(error.problem);
    throw error;
  }
  const { dateFormat, decimalComma, dateFormats } = result.dialect;
  if (dateFormat === null) {
    const sample = await source.sample();
    // The columns are still found, so the mapping step shows them while the baker picks a format.
    result.headers = headerOf(sample, result.dialect.separator);
    result.columns = resolveColumns(result.headers, options.mapping);
    const example = sample.match(/\b\d{1,2}\/\d{1,2}\/\d{4}\b/)?.[0] ?? '';
    return fatal({
      line: 2,
      column: 'date',
      reason: { code: 'import.ambiguousDates', params: { example, formats: dateFormats } },
    });
  }
  const rowDialect = { dateFormat, decimalComma };
  const parser = parse({
    delimiter: result.dialect.separator,
    bom: true,
    relax_column_count: true,
    skip_empty_lines: true,
  });
  // product key → date → first line: duplicates are found without building a string per row.
  const seen = new Map<string, Map<string, number>>();
  const stores = new Set<string>();
  let storeColumn: number | undefined;
  let headerRefused = false;

  // Records arrive synchronously inside parser.write(), so parser.info.lines is the record's
  // own (last) line: cheaper than csv-parse's per-record info objects, which dominated the time.
  const onRecord = (record: string[]): void => {
    if (headerRefused) return;
    if (result.columns === null) {
      result.headers = record.map((h) => h.replace(/^\uFEFF/, '').trim());
      result.columns = resolveColumns(result.headers, options.mapping);
      for (const problem of result.columns.problems) problems.add(problem);
      headerRefused = result.columns.problems.length > 0;
      storeColumn = result.columns.index.store;
      return;
    }
    const line = parser.info.lines;
    if (record.length === 1 && record[0]?.trim() === '') return;
    if (storeColumn !== undefined) {
      const store = record[storeColumn]?.trim() ?? '';
      stores.add(store);
      if (options.store !== undefined && store !== options.store) {
        result.otherStores++;
        return;
      }
    }
    result.dataLines++;
    if (record.length !== result.headers.length) {
      problems.add({
        line,
        column: null,
        reason: {
          code: 'import.fieldCount',
          params: { fields: record.length, headerFields: result.headers.length },
        },
      });
      result.invalidLines++;
      return;
    }
    const parsed = parseRecord(record, line, result.columns.index, rowDialect);
    if ('problems' in parsed) {
      for (const problem of parsed.problems) problems.add(problem);
      result.invalidLines++;
      return;
    }
    const row = parsed.row;
    const key = row.key;
    let datesSeen = seen.get(key);
    if (!datesSeen) seen.set(key, (datesSeen = new Map()));
    const first = datesSeen.get(row.date);
    if (first !== undefined) {
      problems.add({
        line,
        column: 'product',
        reason: {
          code: 'import.duplicate',
          params: { product: row.product, date: row.date, firstLine: first },
        },
      });
      result.invalidLines++;
      return;
    }
    if (!noteProduct(result.products, key, row, problems)) {
      result.invalidLines++;
      return;
    }
    datesSeen.set(row.date, line);
    result.rows.push(row);
  };

  let parseError: unknown;
  parser.on('error', (error) => (parseError ??= error));
  parser.on('data', onRecord);
  const ended = new Promise<void>((resolve) => parser.on('end', resolve).on('close', resolve));
  try {
    for await (const chunk of counted()) {
      parser.write(chunk);
      // Let progress events and other work through between chunks.
      await new Promise((resolve) => setImmediate(resolve));
      if (parseError) throw parseError;
      if (headerRefused) break;
    }
    if (headerRefused) {
      parser.destroy();
      return { ...result, fatal: true };
    }
    parser.end();
    await ended;
    if (parseError) throw parseError;
  } catch (error) {
    parser.destroy();
    if (error instanceof FatalImportProblem) return fatal(error.problem);
    const csvError = error as { code?: string; lines?: number; message: string };
    // csv-parse 7 names one code without the prefix (INVALID_OPENING_QUOTE): test the class too.
    if (
      error instanceof CsvError ||
      (typeof csvError.code === 'string' && csvError.code.startsWith('CSV_'))
    )
      return fatal({
        line: csvError.lines ?? 0,
        column: null,
        reason:
          csvError.code === 'CSV_QUOTE_NOT_CLOSED'
            ? { code: 'import.quoteNotClosed', params: { line: csvError.lines ?? 0 } }
            : {
                code: 'import.notCsv',
                params: { line: csvError.lines ?? 0, detail: csvError.message },
              },
      });
    throw error;
  }
  options.onProgress?.(source.totalBytes, source.totalBytes);
  result.stores = [...stores].sort((a, b) => a.localeCompare(b, 'en', { numeric: true }));
  if (result.columns === null)
    return fatal({ line: 1, column: null, reason: { code: 'import.emptyFile', params: {} } });
  if (options.store !== undefined && storeColumn === undefined)
    return fatal({
      line: 1,
      column: 'store',
      reason: { code: 'import.noStoreColumn', params: {} },
    });
  if (options.store !== undefined && !stores.has(options.store))
    return fatal({
      line: 1,
      column: 'store',
      reason: {
        code: 'import.storeNotInFile',
        params: { store: options.store, stores: result.stores.slice(0, 20) },
      },
    });
  if (options.store === undefined && stores.size > 1) {
    problems.shown.length = 0;
    problems.count = 0;
    return fatal({
      line: 1,
      column: 'store',
      reason: {
        code: 'import.manyStores',
        params: { count: stores.size, stores: result.stores.slice(0, 20) },
      },
    });
  }
  if (result.dataLines === 0 && problems.count === 0)
    return fatal({ line: 2, column: null, reason: { code: 'import.headerOnly', params: {} } });
  return result;
}

/** Columns whose cells are numbers: what tells a decimal comma from a decimal point. */
const numberColumns: readonly ImportColumn[] = [
  'sold',
  'baked',
  'wasted',
  'unit_price',
  'unit_cost',
  'temperature',
  'rain',
];

/** The encoding, separator, decimal mark and date format, read from the start of the file. */
async function readDialect(source: CsvSource, options: AnalyseOptions): Promise<CsvDialect> {
  const encoding = await source.encoding();
  const sniffed = sniffDialect(
    await source.sample(),
    (headers) => {
      const { index } = resolveColumns(headers, options.mapping);
      return {
        date: index.date,
        numbers: numberColumns.map((c) => index[c]).filter((i) => i !== undefined),
      };
    },
    options.dateFormat,
  );
  return { encoding, ...sniffed };
}

/** Records a row's product facts; false (with a problem) when they contradict an earlier line. */
function noteProduct(
  products: Map<string, FileProduct>,
  key: string,
  row: ParsedRow,
  problems: ProblemLog,
): boolean {
  let product = products.get(key);
  if (!product) {
    product = {
      key,
      name: row.product,
      category: null,
      categoryLine: 0,
      shelfLifeDays: null,
      shelfLifeLine: 0,
      unitPrice: null,
      unitCost: null,
    };
    products.set(key, product);
  }
  if (row.category !== null) {
    if (product.category !== null && product.category !== row.category) {
      problems.add({
        line: row.line,
        column: 'category',
        reason: {
          code: 'import.categoryConflict',
          params: {
            product: row.product,
            here: row.category,
            there: product.category,
            line: product.categoryLine,
          },
        },
      });
      return false;
    }
    product.category = row.category;
    product.categoryLine ||= row.line;
  }
  if (row.shelfLifeDays !== null) {
    if (product.shelfLifeDays !== null && product.shelfLifeDays !== row.shelfLifeDays) {
      problems.add({
        line: row.line,
        column: 'shelf_life_days',
        reason: {
          code: 'import.shelfLifeConflict',
          params: {
            product: row.product,
            here: row.shelfLifeDays,
            there: product.shelfLifeDays,
            line: product.shelfLifeLine,
          },
        },
      });
      return false;
    }
    product.shelfLifeDays = row.shelfLifeDays;
    product.shelfLifeLine ||= row.line;
  }
  if (row.unitPrice !== null && (!product.unitPrice || row.date >= product.unitPrice.date))
    product.unitPrice = { value: row.unitPrice, date: row.date };
  if (row.unitCost !== null && (!product.unitCost || row.date >= product.unitCost.date))
    product.unitCost = { value: row.unitCost, date: row.date };
  return true;
}
