import type { ImportInput } from '../api/contract/imports.ts';
import { ApiError, issueOf, type Handlers } from '../api/dispatcher.ts';
import type { BackendContext } from '../backend/context.ts';
import {
  createBackup,
  ensureDailyBackup,
  listBackups,
  backupDirectory,
  restoreBackup,
} from './backup.ts';
import { daySheet, logEdits, logHistory, saveRow, setDayContext } from './daily.ts';
import { exportCsv } from './export.ts';
import { commitImport, ImportRefused, planImport, type ImportOptions } from './import/importer.ts';
import { bytesSource, stringSource } from './import/source.ts';
import { regionList, suggestLocation } from './location.ts';
import { createProduct, listProducts, setProductActive, updateProduct } from './products.ts';
import { bakeryDate, getSettings, setSettings } from './settings.ts';

/** Each domain's handlers read context.db on every call rather than keeping their own handle. */

export function productsHandlers(context: BackendContext) {
  const changed = () => context.events.emit({ type: 'data.changed', scope: 'products' });
  return {
    'products.list': ({ status }) => ({ products: listProducts(context.db, status) }),
    'products.create': (input) => {
      const product = createProduct(context.db, input, context.now());
      changed();
      return product;
    },
    'products.update': ({ id, ...patch }) => {
      const product = updateProduct(context.db, id, patch, context.now());
      changed();
      return product;
    },
    'products.setActive': ({ id, active }) => {
      const product = setProductActive(context.db, id, active, context.now());
      changed();
      return product;
    },
  } satisfies Partial<Handlers>;
}

export function logsHandlers(context: BackendContext) {
  return {
    'logs.day': ({ date }) => daySheet(context.db, date),
    'logs.saveRow': (input) => {
      const saved = saveRow(context.db, input, context.now());
      context.events.emit({ type: 'data.changed', scope: 'logs' });
      return saved;
    },
    'logs.setDayContext': (input) => {
      const day = setDayContext(context.db, input);
      context.events.emit({ type: 'data.changed', scope: 'logs' });
      return day;
    },
    'logs.history': (filter) => logHistory(context.db, filter),
    'logs.edits': (filter) => ({ edits: logEdits(context.db, filter) }),
  } satisfies Partial<Handlers>;
}

export function importHandlers(context: BackendContext) {
  const options = (input: ImportInput): ImportOptions => {
    return {
      mapping: input.mapping,
      store: input.store,
      skipInvalid: input.skipInvalid,
      dateFormat: input.dateFormat,
      now: context.now(),
      onProgress: (done: number, total: number) =>
        context.events.emit({ type: 'progress', task: 'import', done, total }),
    };
  };
  const source = (input: ImportInput) =>
    input.csvBase64 !== undefined
      ? bytesSource(Buffer.from(input.csvBase64, 'base64'))
      : stringSource(input.csv ?? '');
  return {
    'import.preview': async (input) =>
      (await planImport(context.db, source(input), options(input))).preview,
    'import.commit': async (input) => {
      try {
        const summary = await commitImport(context.db, source(input), options(input));
        context.events.emit({ type: 'data.changed', scope: 'logs' });
        context.events.emit({ type: 'data.changed', scope: 'products' });
        return summary;
      } catch (error) {
        if (!(error instanceof ImportRefused)) throw error;
        // Issue paths are "line.column" (line alone for whole-line problems), like field paths.
        throw new ApiError(
          'bad-request',
          error.reason,
          error.preview.problems.map((p) =>
            issueOf(p.column ? `${p.line}.${p.column}` : String(p.line), p.reason),
          ),
        );
      }
    },
  } satisfies Partial<Handlers>;
}

export function dataHandlers(context: BackendContext) {
  return {
    'export.csv': () => {
      const { csv, rows } = exportCsv(context.db);
      const shop = getSettings(context.db)
        .shopName.replace(/[^\p{L}\p{N}]+/gu, '-')
        .replace(/^-|-$/g, '');
      return {
        csv,
        rows,
        fileName: `${shop || 'breadcast'}-${bakeryDate(context.db, context.now())}.csv`,
      };
    },
    'backups.list': () => ({
      directory: backupDirectory(context.databasePath),
      backups: listBackups(context.databasePath),
    }),
    'backups.create': () => createBackup(context.db, context.databasePath, 'manual', context.now()),
    'backups.restore': async ({ name }) => {
      const { safetyCopy } = await restoreBackup(
        context.db,
        context.databasePath,
        name,
        context.now(),
      );
      context.events.emit({ type: 'data.changed', scope: 'all' });
      return { restored: name, safetyCopy };
    },
    'settings.get': () => getSettings(context.db),
    'settings.set': (patch) => {
      const settings = setSettings(context.db, patch);
      context.events.emit({ type: 'data.changed', scope: 'settings' });
      return settings;
    },
    'settings.locationSuggestion': () =>
      suggestLocation(context.db, getSettings(context.db).language),
    'settings.holidayRegions': () => ({
      countries: regionList(getSettings(context.db).language),
    }),
  } satisfies Partial<Handlers>;
}

/**
 * The rotating daily copy: taken when the backend opens, then checked hourly so an app left
 * running for days still gets one per day. Failures are logged, never fatal.
 */
export function startDailyBackups(context: BackendContext): () => void {
  const run = () => {
    if (!context.db.open) return;
    ensureDailyBackup(context.db, context.databasePath, context.now()).catch((error: unknown) => {
      // Closing the app cuts a copy in progress: not a failure, the next start takes it again.
      if (context.db.open) context.log.error({ err: error }, 'daily backup failed');
    });
  };
  run();
  const timer = setInterval(run, 60 * 60 * 1000);
  timer.unref();
  return () => clearInterval(timer);
}
