import {
  optionalImportColumns,
  requiredImportColumns,
  type ImportColumn,
  type ImportProblem,
} from '../../api/contract/imports.ts';
import { headerKey, namesOf } from './column-names.ts';

export type ColumnIndex = Partial<Record<ImportColumn, number>>;

export type ResolvedColumns = {
  index: ColumnIndex;
  /** Our column → the file header it reads. */
  mapping: Partial<Record<ImportColumn, string>>;
  missing: ImportColumn[];
  ignored: string[];
  problems: ImportProblem[];
};

const allColumns: readonly ImportColumn[] = [...requiredImportColumns, ...optionalImportColumns];

/**
 * Finds each known column in the header row: by the user's mapping first, else by name (ours,
 * or a usual English, German or French header: Datum, Artikel, Verkauft, Vendu…).
 * A mapped header that is not in the file is a problem on line 1, never silently dropped.
 */
export function resolveColumns(
  headers: readonly string[],
  mapping: Partial<Record<ImportColumn, string>> = {},
): ResolvedColumns {
  const problems: ImportProblem[] = [];
  const normalised = headers.map(headerKey);
  const index: ColumnIndex = {};
  const used = new Set<number>();
  for (const column of allColumns) {
    const wanted = mapping[column];
    if (wanted !== undefined) {
      const at = normalised.indexOf(headerKey(wanted));
      if (at < 0) {
        problems.push({
          line: 1,
          column,
          reason: { code: 'import.mappedColumnMissing', params: { header: wanted, column } },
        });
        continue;
      }
      index[column] = at;
      used.add(at);
    }
  }
  // Our own column names first, then the usual en/de/fr headers, so an alias never takes a
  // header that names another column exactly.
  for (const exact of [true, false])
    for (const column of allColumns) {
      if (index[column] !== undefined || mapping[column] !== undefined) continue;
      const names = exact ? [column] : namesOf(column);
      const at = normalised.findIndex((h, i) => !used.has(i) && names.includes(h));
      if (at >= 0) {
        index[column] = at;
        used.add(at);
      }
    }
  const duplicates = normalised.filter((h, i) => h !== '' && normalised.indexOf(h) !== i);
  for (const header of new Set(duplicates)) {
    problems.push({
      line: 1,
      column: header,
      reason: { code: 'import.headerTwice', params: { header } },
    });
  }
  const missing = requiredImportColumns.filter((column) => index[column] === undefined);
  for (const column of missing) {
    if (mapping[column] === undefined)
      problems.push({
        line: 1,
        column,
        reason: { code: 'import.requiredMissing', params: { column } },
      });
  }
  const resolvedMapping: Partial<Record<ImportColumn, string>> = {};
  for (const column of allColumns) {
    const at = index[column];
    if (at !== undefined) resolvedMapping[column] = headers[at] ?? column;
  }
  const ignored = headers.filter((_, i) => !used.has(i));
  return { index, mapping: resolvedMapping, missing, ignored, problems };
}
