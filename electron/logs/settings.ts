import type { HolidayRegion, Language, Settings } from '../api/contract/data.ts';
import { ApiError, issueOf } from '../api/dispatcher.ts';
import { dateAt, isTimeZone, systemTimeZone } from '../../federated/calendar/dates.ts';
import type { Db } from '../store/database.ts';
import { holidaysBetween, isKnownRegion, regionCode } from './holidays.ts';
import { currencyOf } from './location.ts';
import {
  saveWeather,
  storedWeather,
  weatherPlace,
  type StoredWeather,
} from '../weather/weather-settings.ts';

/** What a bakery may store; the rest of Settings follows from these. */
type Stored = {
  shopName: string;
  language: Language;
  holidayRegion: HolidayRegion;
  currency: string;
  timeZone: string;
};
const storedKeys = ['shopName', 'language', 'holidayRegion', 'currency', 'timeZone'] as const;

/**
 * The one settings object. Nothing about the location is assumed: a bakery that never said
 * where it is has no holiday region (so no holidays) and is asked; its clock is the machine's
 * until it chooses one.
 */
export function getSettings(db: Db): Settings {
  const rows = db
    .prepare<[], { key: string; value: string }>(
      `SELECT key, value FROM settings WHERE key IN (${storedKeys.map((k) => `'${k}'`).join(',')})`,
    )
    .all();
  const stored = Object.fromEntries(
    rows.map((row) => [row.key, JSON.parse(row.value) as unknown]),
  ) as Partial<Stored>;
  const region = stored.holidayRegion ?? null;
  const timeZone =
    stored.timeZone && isTimeZone(stored.timeZone) ? stored.timeZone : systemTimeZone();
  const weather = storedWeather(db);
  return {
    // Unnamed until the baker names it: the app calls it "my bakery" in the baker's language.
    shopName: stored.shopName ?? '',
    language: stored.language ?? 'en',
    holidayRegion: region,
    currency: stored.currency ?? (region ? currencyOf(region.country) : null) ?? 'EUR',
    timeZone,
    askLocation: region === null,
    weather: { ...weather, place: weatherPlace(weather, { timeZone, chosen: region !== null }) },
  };
}

/** The bakery's calendar date at a moment: what "today" means everywhere in the backend. */
export function bakeryDate(db: Db, moment: Date): string {
  return dateAt(moment, getSettings(db).timeZone);
}

export function setSettings(
  db: Db,
  patch: Partial<Stored> & { weather?: StoredWeather },
): Settings {
  if (patch.holidayRegion && !isKnownRegion(patch.holidayRegion)) {
    const reason = {
      code: 'refusal.unknownRegion',
      params: { region: regionCode(patch.holidayRegion) },
    } as const;
    throw new ApiError('bad-request', reason, [issueOf('holidayRegion', reason)]);
  }
  if (patch.timeZone !== undefined && !isTimeZone(patch.timeZone)) {
    const reason = { code: 'refusal.unknownTimeZone', params: { zone: patch.timeZone } } as const;
    throw new ApiError('bad-request', reason, [issueOf('timeZone', reason)]);
  }
  return db.transaction(() => {
    const put = db.prepare(
      'INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value',
    );
    for (const key of storedKeys) {
      const value = patch[key];
      if (value !== undefined) put.run(key, JSON.stringify(value));
    }
    if (patch.holidayRegion) refillHolidays(db, patch.holidayRegion);
    if (patch.weather) saveWeather(db, patch.weather);
    return getSettings(db);
  })();
}

/**
 * Sets the holiday flag and name of every day from the calendar, over the logged date range
 * (or the given one). Days the calendar does not list lose a holiday flag: the region decides.
 */
export function refillHolidays(
  db: Db,
  region: HolidayRegion,
  range?: { from: string; to: string },
): number {
  const span =
    range ??
    db
      .prepare<[], { from: string | null; to: string | null }>(
        `SELECT min(d) AS "from", max(d) AS "to" FROM (
           SELECT min(date) AS d FROM daily_logs UNION ALL SELECT max(date) FROM daily_logs
           UNION ALL SELECT min(date) FROM day_context UNION ALL SELECT max(date) FROM day_context)`,
      )
      .get();
  if (!span?.from || !span.to) return 0;
  db.prepare(
    'UPDATE day_context SET holiday = 0, holiday_name = NULL WHERE date BETWEEN ? AND ?',
  ).run(span.from, span.to);
  const mark = db.prepare(
    `INSERT INTO day_context (date, holiday, holiday_name) VALUES (?, 1, ?)
     ON CONFLICT (date) DO UPDATE SET holiday = 1, holiday_name = excluded.holiday_name`,
  );
  const holidays = holidaysBetween(region, span.from, span.to);
  for (const holiday of holidays) mark.run(holiday.date, holiday.name);
  return holidays.length;
}
