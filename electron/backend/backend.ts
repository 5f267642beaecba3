import { pino, type Logger } from 'pino';
import { createDispatcher, type Dispatch, type Handlers } from '../api/dispatcher.ts';
import { openDatabase, schemaVersion } from '../store/database.ts';
import type { BackendContext } from './context.ts';
import { EventBus } from './events.ts';
import { appVersion } from './version.ts';
import {
  dataHandlers,
  importHandlers,
  logsHandlers,
  productsHandlers,
  startDailyBackups,
} from '../logs/handlers.ts';
import { forecastHandlers, startTrainingSchedule, stopTraining } from '../forecast/handlers.ts';
import { privacyHandlers } from '../privacy/handlers.ts';
import { syncHandlers } from '../sync/handlers.ts';
import { valueHandlers } from '../forecast/value-of-joining.ts';
import type { WeatherProvider } from '../weather/provider.ts';
import { openMeteo } from '../weather/open-meteo.ts';
import { refreshWeather } from '../weather/refresh.ts';

export type Backend = {
  context: BackendContext;
  dispatch: Dispatch;
  close(): void;
};

export type BackendOptions = {
  databasePath: string;
  transport: BackendContext['transport'];
  log?: Logger;
  now?: () => Date;
  /**
   * Run the nightly training (and the sync after it) on its schedule, catching up a missed
   * night at start. Off by default so tests and one-shot CLI commands never train behind the
   * caller's back; the app (Electron utility process, browser mode) turns it on.
   */
  nightlyJobs?: boolean;
  /**
   * Where the nightly job fetches weather forecasts (default: Open-Meteo when `nightlyJobs` is
   * on, else none); the bakery's settings can still turn it off.
   */
  weather?: WeatherProvider | null;
};

function handlersFor(context: BackendContext): Handlers {
  return {
    'app.info': () => ({
      appVersion,
      schemaVersion,
      databasePath: context.databasePath,
      transport: context.transport,
    }),
    ...productsHandlers(context),
    ...logsHandlers(context),
    ...importHandlers(context),
    ...dataHandlers(context),
    ...forecastHandlers(context),
    ...syncHandlers(context),
    ...privacyHandlers(context),
    ...valueHandlers(context),
  };
}

/** The bakery backend: one database, one dispatcher; the same object behind IPC and HTTP. */
export function createBackend(options: BackendOptions): Backend {
  const log = options.log ?? pino({ name: 'breadcast-shop' });
  const db = openDatabase(options.databasePath);
  const context: BackendContext = {
    db,
    databasePath: options.databasePath,
    events: new EventBus(),
    log,
    now: options.now ?? (() => new Date()),
    transport: options.transport,
    weather:
      options.weather !== undefined ? options.weather : options.nightlyJobs ? openMeteo() : null,
  };
  const dispatch = createDispatcher(handlersFor(context), (error) =>
    log.error({ err: error }, 'API handler failed'),
  );
  const stopBackups = startDailyBackups(context);
  if (options.nightlyJobs) {
    // At start too: the app may have been closed through the night.
    if (context.weather)
      refreshWeather(context.db, context.weather, { now: context.now(), log }).catch(
        (error: unknown) => log.warn({ err: error }, 'weather forecast not stored'),
      );
    startTrainingSchedule(context).catch((error: unknown) =>
      log.error({ err: error }, 'nightly training schedule failed to start'),
    );
  }
  return {
    context,
    dispatch,
    close: () => {
      stopTraining(context);
      stopBackups();
      context.db.close();
    },
  };
}
