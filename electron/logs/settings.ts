import type { HolidayRegion, Settings } from '../api/contract/data.ts';
import { ApiError, issueOf } from '../api/dispatcher.ts';
import type { Db } from '../store/database.ts';
import { holidaysBetween, isKnownRegion, regionCode } from './holidays.ts';

export const defaultSettings: Settings = {
  shopName: 'My bakery',
  language: 'en',
  holidayRegion: { country: 'DE', state: 'NW' },
};

export function getSettings(db: Db): Settings {
  const rows = db
    .prepare<[], { key: string; value: string }>(
      "SELECT key, value FROM settings WHERE key IN ('shopName','language','holidayRegion')",
    )
    .all();
  const stored = Object.fromEntries(rows.map((row) => [row.key, JSON.parse(row.value) as unknown]));
  return { ...defaultSettings, ...(stored as Partial<Settings>) };
}

export function setSettings(db: Db, patch: Partial<Settings>): Settings {
  if (patch.holidayRegion && !isKnownRegion(patch.holidayRegion)) {
    const reason = {
      code: 'refusal.unknownRegion',
      params: { region: regionCode(patch.holidayRegion) },
    } as const;
    throw new ApiError('bad-request', reason, [issueOf('holidayRegion', reason)]);
  }
  return db.transaction(() => {
    const put = db.prepare(
      'INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value',
    );
    for (const [key, value] of Object.entries(patch)) {
      if (value !== undefined) put.run(key, JSON.stringify(value));
    }
    if (patch.holidayRegion) refillHolidays(db, patch.holidayRegion);
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
