import type { Db } from '../store/database.ts';
import type { Coordinates } from './provider.ts';
import { timeZoneCity } from './zone-coordinates.ts';

/** What the bakery chose: fetch forecasts or not, and its coordinates if it entered them. */
export type StoredWeather = { enabled: boolean; latitude: number | null; longitude: number | null };

const key = 'weather';
const defaults: StoredWeather = { enabled: true, latitude: null, longitude: null };

export function storedWeather(db: Db): StoredWeather {
  const row = db
    .prepare<[string], { value: string }>('SELECT value FROM settings WHERE key = ?')
    .get(key);
  return row ? { ...defaults, ...(JSON.parse(row.value) as Partial<StoredWeather>) } : defaults;
}

export function saveWeather(db: Db, weather: StoredWeather): void {
  db.prepare(
    'INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value',
  ).run(key, JSON.stringify(weather));
}

/**
 * Where the forecast is asked for: the entered coordinates, else (once the bakery has said where
 * it is) its time zone's reference city; null when neither is known.
 */
export function weatherPlace(
  weather: StoredWeather,
  location: { timeZone: string; chosen: boolean },
): (Coordinates & { source: 'entered' | 'time-zone' }) | null {
  if (weather.latitude !== null && weather.longitude !== null)
    return { latitude: weather.latitude, longitude: weather.longitude, source: 'entered' };
  const city = location.chosen ? timeZoneCity(location.timeZone) : null;
  return city ? { ...city, source: 'time-zone' } : null;
}
