import type { Logger } from 'pino';
import type { Db } from '../store/database.ts';
import type { EventBus } from './events.ts';
import type { WeatherProvider } from '../weather/provider.ts';

/** What every backend service gets: injected, so tests can give a fake clock and a temp database. */
export type BackendContext = {
  db: Db;
  databasePath: string;
  events: EventBus;
  log: Logger;
  /** Wall clock; tests replace it to check schedules and "today". */
  now: () => Date;
  transport: 'electron' | 'http';
  /** Where weather forecasts come from; null = none are fetched (tests, one-shot commands). */
  weather: WeatherProvider | null;
};
