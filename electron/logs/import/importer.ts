import type { ImportColumn, ImportPreview, ImportSummary } from '../../api/contract/imports.ts';
import {
  optionalImportColumns,
  requiredImportColumns,
  staleHistoryDays,
} from '../../api/contract/imports.ts';
import type { LogField } from '../../api/contract/logs.ts';
import type { Message } from '../../api/contract/messages/index.ts';
import type { Product } from '../../api/contract/products.ts';
import type { Db } from '../../store/database.ts';
import { carriedOverSeries, type StockDay } from '../carry-over.ts';
import { isHoliday } from '../holidays.ts';
import { listProducts, nameKey } from '../products.ts';
import { bakeryDate, getSettings } from '../settings.ts';
import { daysBetween } from '../../../federated/calendar/dates.ts';
import { levelWindowDays } from '../../../federated/features/spec.ts';
import { validateRow } from '../validation.ts';
import { analyse, type Analysis, type AnalyseOptions } from './analyse.ts';
import { describeMessage } from '../../api/dispatcher.ts';
import type { ParsedRow } from './rows.ts';
import type { CsvSource } from './source.ts';
import { writePlan } from './write.ts';

export type ImportOptions = AnalyseOptions & {
  skipInvalid?: boolean;
  /** The moment of the import: its day on the bakery's clock tells how old the history is. */
  now?: Date;
};

/** A checked file, matched against the database: what commit would write. */
export type ImportPlan = {
  analysis: Analysis;
  rows: PlannedRow[];
  existing: Map<string, Product>;
  skippedLines: number;
  preview: ImportPreview;
};
export type PlannedRow = ParsedRow;

const fieldColumn: Record<LogField, ImportColumn> = {
  baked: 'baked',
  sold: 'sold',
  wasted: 'wasted',
  soldOut: 'sold_out',
  soldOutTime: 'sold_out_time',
  wasteReason: 'waste_reason',
  wasteOutcome: 'waste_outcome',
  note: 'note',
};

/**
 * Checks a file against the database without writing: the stock rule needs the logs already
 * there (carried-over stock) and the products' shelf lives.
 */
export async function planImport(
  db: Db,
  source: CsvSource,
  options: ImportOptions,
): Promise<ImportPlan> {
  const analysis = await analyse(source, options);
  const existing = new Map(listProducts(db, 'all').map((p) => [nameKey(p.name), p]));
  const byProduct = new Map<string, PlannedRow[]>();
  for (const row of analysis.rows) {
    const list = byProduct.get(row.key);
    if (list) list.push(row);
    else byProduct.set(row.key, [row]);
  }
  const rejected = new Set<number>();
  for (const [key, rows] of byProduct) {
    const known = existing.get(key);
    const shelfLife = known?.shelfLifeDays ?? analysis.products.get(key)?.shelfLifeDays ?? 1;
    if (shelfLife > 1 && rows.some((r) => r.baked !== null))
      assignCarry(db, known, rows, shelfLife);
    for (const row of rows) {
      const issues = validateRow(row, row.carriedOver);
      if (issues.length === 0) continue;
      rejected.add(row.line);
      for (const issue of issues)
        if (issue.path !== 'wasted' || !issues.some((i) => i.path === 'sold'))
          analysis.problems.add({
            line: row.line,
            column: fieldColumn[issue.path],
            reason: issue.reason,
          });
    }
  }
  // File order, so later steps (and a re-export) see the rows as the user wrote them.
  const rows =
    rejected.size === 0 ? analysis.rows : analysis.rows.filter((row) => !rejected.has(row.line));
  const skippedLines = analysis.invalidLines + rejected.size;
  return {
    analysis,
    rows,
    existing,
    skippedLines,
    preview: previewOf(
      analysis,
      rows,
      existing,
      skippedLines,
      options,
      recencyOf(db, rows, options),
    ),
  };
}

/** The newest day among the rows and its distance to the bakery's today. */
function recencyOf(db: Db, rows: PlannedRow[], options: ImportOptions) {
  let newestDate: string | null = null;
  for (const row of rows) if (newestDate === null || row.date > newestDate) newestDate = row.date;
  const today = bakeryDate(db, options.now ?? new Date());
  return {
    newestDate,
    daysSinceNewest: newestDate === null ? null : daysBetween(newestDate, today),
  };
}

/** Stock carried into each file row, merged with the logs already stored for that product. */
function assignCarry(
  db: Db,
  known: Product | undefined,
  rows: PlannedRow[],
  shelfLife: number,
): void {
  const stored = known
    ? db
        .prepare<[number], StockDay>(
          'SELECT date, baked, sold, wasted FROM daily_logs WHERE product_id = ? ORDER BY date',
        )
        .all(known.id)
    : [];
  const byDate = new Map<string, StockDay | PlannedRow>(stored.map((d) => [d.date, d]));
  for (const row of rows) byDate.set(row.date, row);
  const days = [...byDate.values()].sort((a, b) => a.date.localeCompare(b.date));
  const carried = carriedOverSeries(days, shelfLife);
  days.forEach((day, i) => {
    if ('line' in day) day.carriedOver = carried[i] ?? 0;
  });
}

function previewOf(
  analysis: Analysis,
  rows: PlannedRow[],
  existing: Map<string, Product>,
  skippedLines: number,
  options: ImportOptions,
  recency: Pick<ImportPreview, 'newestDate' | 'daysSinceNewest'>,
): ImportPreview {
  const productKeys = new Set(rows.map((r) => r.key));
  const problemCount = analysis.problems.count;
  return {
    dialect: analysis.dialect,
    ...recency,
    headers: analysis.headers,
    requiredColumns: [...requiredImportColumns],
    optionalColumns: [...optionalImportColumns],
    mapping: analysis.columns?.mapping ?? {},
    missingColumns: analysis.columns?.missing ?? [...requiredImportColumns],
    ignoredHeaders: analysis.columns?.ignored ?? [],
    problems: [...analysis.problems.shown].sort((a, b) => a.line - b.line),
    problemCount,
    counts: {
      dataLines: analysis.dataLines,
      valid: rows.length,
      invalid: skippedLines,
      products: productKeys.size,
      newProducts: [...productKeys].filter((k) => !existing.has(k)).length,
      days: new Set(rows.map((r) => r.date)).size,
      otherStores: analysis.otherStores,
    },
    stores: analysis.stores,
    warnings:
      recency.newestDate !== null &&
      recency.daysSinceNewest !== null &&
      recency.daysSinceNewest > staleHistoryDays
        ? [
            {
              code: 'import.staleHistory',
              params: {
                newestDate: recency.newestDate,
                days: recency.daysSinceNewest,
                windowDays: levelWindowDays,
              },
            },
          ]
        : [],
    needsStore: analysis.stores.length > 1 && options.store === undefined,
    canImport:
      !analysis.fatal && rows.length > 0 && (problemCount === 0 || options.skipInvalid === true),
  };
}

/** A file commit would not import; the preview lists why, line by line. */
export class ImportRefused extends Error {
  readonly reason: Message;
  constructor(readonly preview: ImportPreview) {
    const reason: Message =
      preview.problemCount > 0
        ? { code: 'import.refused', params: { problems: preview.problemCount } }
        : { code: 'import.nothingToImport', params: {} };
    super(describeMessage(reason));
    this.reason = reason;
  }
}

/**
 * Imports all valid rows in ONE transaction, or nothing: without skipInvalid any problem
 * refuses the whole file and the database is left exactly as it was.
 */
export async function commitImport(
  db: Db,
  source: CsvSource,
  options: ImportOptions & { now?: Date },
): Promise<ImportSummary> {
  const plan = await planImport(db, source, options);
  if (!plan.preview.canImport) throw new ImportRefused(plan.preview);
  const region = getSettings(db).holidayRegion;
  writePlan(db, plan, {
    now: options.now ?? new Date(),
    calendarHoliday: (date) => isHoliday(region, date)?.name ?? null,
  });
  return {
    imported: plan.rows.length,
    products: plan.preview.counts.products,
    days: plan.preview.counts.days,
    skipped: plan.skippedLines,
    dialect: plan.preview.dialect,
    newestDate: plan.preview.newestDate,
    daysSinceNewest: plan.preview.daysSinceNewest,
    warnings: plan.preview.warnings,
  };
}
