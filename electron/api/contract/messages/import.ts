import { z } from 'zod';
import { dateFormat, importColumn } from '../import-columns.ts';
import { count, day, says, units } from './define.ts';
import { entryRefusal } from './entry.ts';

/**
 * What the import finds wrong with a file, line by line. Raw values are quoted back as they
 * stand in the file (cut to 40 characters) so the baker can search for them.
 */
const column = importColumn;
const raw = z.string();

export const importFileProblem = z.discriminatedUnion('code', [
  says('import.empty', { column }),
  says('import.notANumber', { column, raw, commaDecimal: z.boolean() }),
  says('import.negative', { column, raw }),
  says('import.notWhole', { column, raw }),
  says('import.tooLarge', { column, raw, max: count }),
  says('import.outOfRange', {
    column,
    raw,
    min: units,
    max: units,
    unit: z.enum(['', '°C', 'mm']),
  }),
  says('import.notFlag', { column, raw }),
  says('import.notOneOf', { column, raw, options: z.array(z.string()) }),
  says('import.dateFormat', { raw, format: dateFormat }),
  /** The dates fit more than one format (03/04/2024): the user must say which. */
  says('import.ambiguousDates', { example: z.string(), formats: z.array(dateFormat) }),
  says('import.dateNotInCalendar', { date: raw }),
  says('import.productTooLong', { max: count }),
  says('import.shelfLifeRange', { days: count }),
  says('import.badTime', { raw }),
  says('import.noteTooLong', { length: count, max: count }),
  says('import.mappedColumnMissing', { header: z.string(), column }),
  says('import.headerTwice', { header: z.string() }),
  says('import.requiredMissing', { column }),
  says('import.fileTooLarge', { bytes: count, maxBytes: count }),
  says('import.utf16', {}),
  says('import.nulCharacters', { line: count }),
  says('import.notUtf8', { line: count }),
  says('import.fieldCount', { fields: count, headerFields: count }),
  says('import.duplicate', { product: z.string(), date: day, firstLine: count }),
  says('import.quoteNotClosed', { line: count }),
  /** csv-parse's own explanation stays as it is: technical detail. */
  says('import.notCsv', { line: count, detail: z.string() }),
  says('import.emptyFile', {}),
  says('import.noStoreColumn', {}),
  says('import.storeNotInFile', { store: z.string(), stores: z.array(z.string()) }),
  says('import.manyStores', { count, stores: z.array(z.string()) }),
  says('import.headerOnly', {}),
  says('import.categoryConflict', {
    product: z.string(),
    here: z.string(),
    there: z.string(),
    line: count,
  }),
  says('import.shelfLifeConflict', { product: z.string(), here: count, there: count, line: count }),
]);

/** A line's problem: the file's own, or a row the daily entry would refuse too. */
export const importProblemReason = z.discriminatedUnion('code', [
  ...importFileProblem.options,
  ...entryRefusal.options,
]);
export type ImportProblemReason = z.infer<typeof importProblemReason>;

/** Why a whole file was refused (each problem is listed beside it). */
export const importRefusal = z.discriminatedUnion('code', [
  says('import.refused', { problems: count }),
  says('import.nothingToImport', {}),
]);

/** Things worth knowing before importing that do not stop it. */
export const importWarning = z.discriminatedUnion('code', [
  /** The newest day in the file lies `days` before today; a forecast needs sales within the
   * last `windowDays` days. */
  says('import.staleHistory', { newestDate: day, days: count, windowDays: count }),
]);
