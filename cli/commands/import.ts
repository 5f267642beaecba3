import { existsSync } from 'node:fs';
import { openDatabase } from '../../electron/store/database.ts';
import { commitImport, ImportRefused } from '../../electron/logs/import/importer.ts';
import { fileSource } from '../../electron/logs/import/source.ts';
import { requireString, UsageError, type Command } from '../command.ts';
import { inEnglish } from '../english.ts';

/** Long problem lists bury the first mistakes; the rest are counted. */
const problemsShown = 50;

export const importCommand: Command = {
  name: 'import',
  summary: 'Import POS history from a CSV file into a bakery database (all rows or none).',
  options: {
    db: {
      type: 'string',
      value: 'FILE',
      description: 'The bakery database (created if missing).',
      required: true,
    },
    csv: {
      type: 'string',
      value: 'FILE',
      description: 'CSV with a header row: date, product, sold, …',
      required: true,
    },
    store: {
      type: 'string',
      value: 'ID',
      description: 'For files holding several stores: the store to import.',
    },
    'skip-invalid': {
      type: 'boolean',
      description: 'Import the good rows and count the bad ones as skipped.',
    },
    json: {
      type: 'boolean',
      description: 'Print one JSON line {"imported","products","days","skipped"}.',
    },
  },
  async run(options, io) {
    const csvPath = requireString(options, 'csv');
    const dbPath = requireString(options, 'db');
    if (!existsSync(csvPath)) throw new UsageError(`--csv: no such file "${csvPath}"`);
    const store = options.store;
    if (store !== undefined && (typeof store !== 'string' || store.trim() === ''))
      throw new UsageError('--store takes a store id');
    const db = openDatabase(dbPath);
    const started = performance.now();
    try {
      const summary = await commitImport(db, fileSource(csvPath), {
        store: store as string | undefined,
        skipInvalid: options['skip-invalid'] === true,
        onProgress:
          io.interactive && !options.json
            ? (done, total) =>
                process.stderr.write(`\rreading ${Math.round((100 * done) / total)}%`)
            : undefined,
      });
      if (io.interactive && !options.json) process.stderr.write('\n');
      if (options.json) io.out(JSON.stringify(summary));
      else
        io.out(
          `Imported ${summary.imported} rows (${summary.products} products, ${summary.days} days)` +
            `${summary.skipped ? `, skipped ${summary.skipped} invalid lines` : ''} in ${((performance.now() - started) / 1000).toFixed(2)} s.`,
        );
      return 0;
    } catch (error) {
      if (!(error instanceof ImportRefused)) throw error;
      const { problems, problemCount } = error.preview;
      io.err(
        `Nothing was imported: ${problemCount} problem${problemCount === 1 ? '' : 's'} in ${csvPath}.`,
      );
      for (const problem of problems.slice(0, problemsShown))
        io.err(
          `  line ${problem.line}${problem.column ? ` (${problem.column})` : ''}: ${inEnglish(problem.reason)}`,
        );
      if (problemCount > problemsShown) io.err(`  … and ${problemCount - problemsShown} more.`);
      io.err(
        error.preview.needsStore
          ? `Choose a store with --store (${error.preview.stores.slice(0, 20).join(', ')}).`
          : 'Fix the file, or pass --skip-invalid to import the valid rows only.',
      );
      return 1;
    } finally {
      db.close();
    }
  },
};
