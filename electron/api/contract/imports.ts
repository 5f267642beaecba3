import { z } from 'zod';
import { method } from './define.ts';
import { dateFormat, importColumn } from './import-columns.ts';
import { importProblemReason, importWarning } from './messages/index.ts';

export {
  dateFormat,
  type DateFormat,
  importColumn,
  optionalImportColumns,
  requiredImportColumns,
  type ImportColumn,
} from './import-columns.ts';

/** Largest CSV accepted, in bytes (UTF-8). Bigger files are refused with a size message. */
export const maxImportBytes = 64 * 1024 * 1024;

export const separator = z.enum([',', ';', '\t']);
export type Separator = z.infer<typeof separator>;

/** How a file is written, as the importer read it. */
export const csvDialect = z.object({
  /** utf-8 (with or without BOM) or, when the bytes are not UTF-8, the Windows code page. */
  encoding: z.enum(['utf-8', 'windows-1252']),
  separator,
  /** Numbers like 1,5 (and 1.234,5). */
  decimalComma: z.boolean(),
  /** The format the dates are read in; null when several fit and the user must choose. */
  dateFormat: dateFormat.nullable(),
  /** Every format all the sampled dates fit; two or more = ambiguous. */
  dateFormats: z.array(dateFormat),
});
export type CsvDialect = z.infer<typeof csvDialect>;

export const importInput = z
  .object({
    /** The file as text (already decoded), or as its bytes in base64 (csvBase64) so the importer
     * can tell UTF-8 from the Windows code page itself. Exactly one of the two. */
    csv: z
      .string()
      .max(maxImportBytes, 'The file is larger than 64 MB; split it by year.')
      .optional(),
    csvBase64: z
      .string()
      .max(Math.ceil(maxImportBytes / 3) * 4, 'The file is larger than 64 MB; split it by year.')
      .optional(),
    /** The date format, when the file's dates fit more than one (dd/mm/yyyy or mm/dd/yyyy). */
    dateFormat: dateFormat.optional(),
    /** Our column name → the header used in the file, for files whose headers differ. */
    mapping: z.partialRecord(importColumn, z.string().min(1)).optional(),
    /** For files holding several stores: the store whose rows to import. */
    store: z.string().min(1).optional(),
    /** Import the good rows and count the bad ones as skipped, instead of importing nothing. */
    skipInvalid: z.boolean().default(false),
  })
  .strict()
  .refine((input) => (input.csv === undefined) !== (input.csvBase64 === undefined), {
    message: 'Send the file as csv (text) or csvBase64 (bytes), one of the two.',
    path: ['csv'],
  });
export type ImportInput = z.infer<typeof importInput>;

/** One problem; line 1 is the header row, so the first data row is line 2. */
export const importProblem = z.object({
  line: z.number().int(),
  column: z.string().nullable(),
  reason: importProblemReason,
});
export type ImportProblem = z.infer<typeof importProblem>;

/** A history whose newest day is older than this many days gets the stale-history warning. */
export const staleHistoryDays = 14;

/** The newest day a file brings, and how long before the bakery's today it was. */
const recency = {
  newestDate: z.string().nullable(),
  /** Days from newestDate to the bakery's today; over staleHistoryDays the app warns. */
  daysSinceNewest: z.number().int().nullable(),
};

export const importSummary = z.object({
  imported: z.number().int(),
  products: z.number().int(),
  days: z.number().int(),
  skipped: z.number().int(),
  dialect: csvDialect,
  ...recency,
  /** What the importer wants the baker to know (the history is old, …). */
  warnings: z.array(importWarning),
});
export type ImportSummary = z.infer<typeof importSummary>;

export const importPreview = z.object({
  headers: z.array(z.string()),
  requiredColumns: z.array(importColumn),
  optionalColumns: z.array(importColumn),
  /** The mapping actually used (given or detected), our column → file header. */
  mapping: z.partialRecord(importColumn, z.string()),
  /** Required columns not found in the file: the user must map them. */
  missingColumns: z.array(importColumn),
  /** Headers the importer will ignore. */
  ignoredHeaders: z.array(z.string()),
  /** The first problems (at most 500); problemCount has the total. */
  problems: z.array(importProblem),
  problemCount: z.number().int(),
  counts: z.object({
    dataLines: z.number().int(),
    valid: z.number().int(),
    invalid: z.number().int(),
    /** Products in the file, and how many of them would be created. */
    products: z.number().int(),
    newProducts: z.number().int(),
    days: z.number().int(),
    /** Rows of other stores left out because a store was chosen. */
    otherStores: z.number().int(),
  }),
  dialect: csvDialect,
  ...recency,
  /** Distinct values of the store column; more than one means a store must be chosen. */
  stores: z.array(z.string()),
  needsStore: z.boolean(),
  /** Worth knowing before importing, without stopping it (e.g. a history that ended long ago). */
  warnings: z.array(importWarning),
  /** True when commit with the same input would import something. */
  canImport: z.boolean(),
});
export type ImportPreview = z.infer<typeof importPreview>;

export const importsContract = {
  'import.preview': method(
    'Checks a CSV without changing anything: headers, mapping, every problem by line, counts, stores. Emits progress events (task "import") for large files.',
    importInput,
    importPreview,
  ),
  'import.commit': method(
    'Imports a CSV in one transaction: all or nothing, unless skipInvalid. Refusal: code "bad-request" with one issue per problem (path "N" for line N, or "N.column"). Emits progress events (task "import").',
    importInput,
    importSummary,
  ),
};
