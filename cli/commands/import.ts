import { existsSync } from 'node:fs';
import { openDatabase } from '../../electron/store/database.ts';
import { commitImport, ImportRefused } from '../../electron/logs/import/importer.ts';
import { fileSource } from '../../electron/logs/import/source.ts';
import { dateFormat, type CsvDialect } from '../../electron/api/contract/imports.ts';
import { isKnownRegion } from '../../electron/logs/holidays.ts';
import { getSettings, setSettings } from '../../electron/logs/settings.ts';
import { currencyOf, timeZoneFor } from '../../electron/logs/location.ts';
import { requireString, UsageError, type Command, type ParsedOptions } from '../command.ts';
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
    'date-format': {
      type: 'string',
      value: 'FORMAT',
      description: `How the file writes dates, when they fit more than one format (${dateFormat.options.join(', ')}).`,
    },
    country: {
      type: 'string',
      value: 'CC',
      description:
        'Where the bakery is (ISO 3166 country code, e.g. DE, FR): sets its holidays, currency and clock.',
    },
    region: {
      type: 'string',
      value: 'RR',
      description: 'With --country: the state or region (ISO 3166-2 part, e.g. BY for DE-BY).',
    },
    json: {
      type: 'boolean',
      description:
        'Print one JSON line {"imported","products","days","skipped","dialect","newestDate","daysSinceNewest"}.',
    },
  },
  async run(options, io) {
    const csvPath = requireString(options, 'csv');
    const dbPath = requireString(options, 'db');
    if (!existsSync(csvPath)) throw new UsageError(`--csv: no such file "${csvPath}"`);
    const store = options.store;
    if (store !== undefined && (typeof store !== 'string' || store.trim() === ''))
      throw new UsageError('--store takes a store id');
    const format = dateFormat.safeParse(options['date-format']);
    if (options['date-format'] !== undefined && !format.success)
      throw new UsageError(`--date-format takes one of ${dateFormat.options.join(', ')}`);
    const location = locationOption(options);
    const db = openDatabase(dbPath);
    const started = performance.now();
    try {
      if (location) setSettings(db, location);
      const summary = await commitImport(db, fileSource(csvPath), {
        store: store as string | undefined,
        dateFormat: format.data,
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
            `${summary.skipped ? `, skipped ${summary.skipped} invalid lines` : ''} in ${((performance.now() - started) / 1000).toFixed(2)} s` +
            ` (${describeDialect(summary.dialect)}).`,
        );
      for (const warning of summary.warnings) io.err(`Warning: ${inEnglish(warning)}`);
      if (getSettings(db).askLocation)
        io.err(
          'Where is the bakery? Its holidays follow its region: pass --country CC [--region RR] (or answer in the app).',
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
      const { dialect } = error.preview;
      io.err(
        error.preview.needsStore
          ? `Choose a store with --store (${error.preview.stores.slice(0, 20).join(', ')}).`
          : dialect.dateFormat === null
            ? `Say how the dates are written: --date-format ${dialect.dateFormats.join(' or --date-format ')}.`
            : 'Fix the file, or pass --skip-invalid to import the valid rows only.',
      );
      return 1;
    } finally {
      db.close();
    }
  },
};

/** --country CC [--region RR] as the bakery's location (holidays, currency, clock), or null. */
function locationOption(options: ParsedOptions) {
  const country = options.country;
  const region = options.region;
  if (country === undefined) {
    if (region !== undefined) throw new UsageError('--region needs --country');
    return null;
  }
  if (typeof country !== 'string' || !/^[A-Za-z]{2}$/.test(country))
    throw new UsageError('--country takes a two-letter ISO 3166 code such as DE or FR');
  if (region !== undefined && (typeof region !== 'string' || !/^[A-Za-z0-9]{1,3}$/.test(region)))
    throw new UsageError('--region takes a region code such as BY (for DE-BY)');
  const holidayRegion = {
    country: country.toUpperCase(),
    state: typeof region === 'string' ? region.toUpperCase() : null,
  };
  if (!isKnownRegion(holidayRegion))
    throw new UsageError(
      `The holiday calendar does not know ${holidayRegion.country}${holidayRegion.state ? `-${holidayRegion.state}` : ''}`,
    );
  return {
    holidayRegion,
    currency: currencyOf(holidayRegion.country) ?? 'EUR',
    timeZone: timeZoneFor(holidayRegion.country),
  };
}

function describeDialect(dialect: CsvDialect): string {
  const separator = { ',': 'comma', ';': 'semicolon', '\t': 'tab' }[dialect.separator];
  return [
    dialect.encoding === 'utf-8' ? 'UTF-8' : 'Windows-1252',
    `${separator}-separated`,
    dialect.decimalComma ? 'decimal comma' : null,
    dialect.dateFormat ? `dates ${dialect.dateFormat}` : null,
  ]
    .filter(Boolean)
    .join(', ');
}
