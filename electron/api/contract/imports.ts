import { z } from 'zod';
import { method } from './define.ts';
import { importColumn } from './import-columns.ts';
import { importProblemReason, importWarning } from './messages/index.ts';

export {
  importColumn,
  optionalImportColumns,
  requiredImportColumns,
  type ImportColumn,
} from './import-columns.ts';

/** Largest CSV accepted, in bytes (UTF-8). Bigger files are refused with a size message. */
export const maxImportBytes = 64 * 1024 * 1024;

export const importInput = z
  .object({
    csv: z.string().max(maxImportBytes, 'The file is larger than 64 MB; split it by year.'),
    /** Our column name → the header used in the file, for files whose headers differ. */
    mapping: z.partialRecord(importColumn, z.string().min(1)).optional(),
    /** For files holding several stores: the store whose rows to import. */
    store: z.string().min(1).optional(),
    /** Import the good rows and count the bad ones as skipped, instead of importing nothing. */
    skipInvalid: z.boolean().default(false),
  })
  .strict();
export type ImportInput = z.infer<typeof importInput>;

/** One problem; line 1 is the header row, so the first data row is line 2. */
export const importProblem = z.object({
  line: z.number().int(),
  column: z.string().nullable(),
  reason: importProblemReason,
});
export type ImportProblem = z.infer<typeof importProblem>;

export const importSummary = z.object({
  imported: z.number().int(),
  products: z.number().int(),
  days: z.number().int(),
  skipped: z.number().int(),
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
