import type { Logger } from 'pino';
import { addDays } from '../../federated/calendar/dates.ts';
import { isHoliday } from '../logs/holidays.ts';
import { bakeryDate, getSettings } from '../logs/settings.ts';
import type { Db } from '../store/database.ts';
import { WeatherError, type DayWeather, type WeatherProvider } from './provider.ts';
import { storedWeather, weatherPlace } from './weather-settings.ts';

/** How the last attempt went; what the forecast screen says beside the weather. */
export type WeatherFetch = {
  state: 'ok' | 'failed' | 'off' | 'no-location';
  provider: string | null;
  /** When a forecast last arrived (kept across later failures). */
  fetchedAt: string | null;
  attemptedAt: string;
  /** The failure's kind and words, for the log and the screen. */
  error: { code: WeatherError['code']; message: string } | null;
};

const statusKey = 'weather.lastFetch';
/** Tomorrow and the day after (a forecast made a day early); today keeps what it has. */
const daysAhead = 2;

export function lastWeatherFetch(db: Db): WeatherFetch | null {
  const row = db
    .prepare<[string], { value: string }>('SELECT value FROM settings WHERE key = ?')
    .get(statusKey);
  return row ? (JSON.parse(row.value) as WeatherFetch) : null;
}

function saveFetch(db: Db, fetch: WeatherFetch): WeatherFetch {
  db.prepare(
    'INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value',
  ).run(statusKey, JSON.stringify(fetch));
  return fetch;
}

/**
 * Fetches the weather forecast of the next days for the bakery's place and stores it
 * with those days (day_context), where the features read it. Never throws: a failed fetch is
 * a warning in the log and in the returned state, and the days keep what they had (a missing
 * forecast is what the model's weather dropout trained it for). Past days are never touched.
 */
export async function refreshWeather(
  db: Db,
  provider: WeatherProvider,
  options: { now: Date; log?: Logger },
): Promise<WeatherFetch> {
  const attemptedAt = options.now.toISOString();
  const previous = lastWeatherFetch(db);
  const base = { provider: provider.name, fetchedAt: previous?.fetchedAt ?? null, attemptedAt };
  const weather = storedWeather(db);
  if (!weather.enabled) return saveFetch(db, { ...base, state: 'off', error: null });
  const settings = getSettings(db);
  const place = weatherPlace(weather, {
    timeZone: settings.timeZone,
    chosen: settings.holidayRegion !== null,
  });
  if (!place) return saveFetch(db, { ...base, state: 'no-location', error: null });
  const today = bakeryDate(db, options.now);
  let days: DayWeather[];
  try {
    days = await provider.daily(
      place,
      settings.timeZone,
      addDays(today, 1),
      addDays(today, daysAhead),
    );
  } catch (error) {
    const failure =
      error instanceof WeatherError
        ? { code: error.code, message: error.message }
        : { code: 'bad-answer' as const, message: (error as Error).message };
    options.log?.warn({ provider: provider.name, ...failure }, 'weather forecast not fetched');
    return saveFetch(db, { ...base, state: 'failed', error: failure });
  }
  storeDays(
    db,
    days.filter((d) => d.date > today && d.date <= addDays(today, daysAhead)),
    settings.holidayRegion,
  );
  return saveFetch(db, { ...base, fetchedAt: attemptedAt, state: 'ok', error: null });
}

/** Weather into day_context; a new row gets the day's holiday from the calendar, as the
 * forecast would have assumed for a day without a row. */
function storeDays(
  db: Db,
  days: DayWeather[],
  region: ReturnType<typeof getSettings>['holidayRegion'],
): void {
  const upsert = db.prepare(
    `INSERT INTO day_context (date, holiday, holiday_name, temperature, rain) VALUES (?, ?, ?, ?, ?)
     ON CONFLICT (date) DO UPDATE SET temperature = excluded.temperature, rain = excluded.rain`,
  );
  db.transaction(() => {
    for (const day of days) {
      const holiday = isHoliday(region, day.date);
      upsert.run(day.date, holiday ? 1 : 0, holiday?.name ?? null, day.temperature, day.rain);
    }
  })();
}

/** The weather stored for a day and how the last fetch went: what the forecast screen shows. */
export function weatherOfDay(db: Db, date: string) {
  const row = db
    .prepare<[string], { temperature: number | null; rain: number | null }>(
      'SELECT temperature, rain FROM day_context WHERE date = ?',
    )
    .get(date);
  const last = lastWeatherFetch(db);
  return {
    date,
    temperature: row?.temperature ?? null,
    rain: row?.rain ?? null,
    state: last?.state ?? ('never' as const),
    provider: last?.provider ?? null,
    fetchedAt: last?.fetchedAt ?? null,
    error: last?.error?.code ?? null,
  };
}
