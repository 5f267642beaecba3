import Holidays from 'date-holidays';
import type { HolidayRegion } from '../api/contract/data.ts';

/**
 * Public holidays from the offline date-holidays calendar. Pure (no database): the forecast
 * features can call these too, or receive their results as data.
 */
export type Holiday = { date: string; name: string };

/** "DE-NW" → { country: 'DE', state: 'NW' }; "FR" → { country: 'FR', state: null }. */
export function parseRegion(code: string): HolidayRegion {
  const [country = '', state] = code.trim().toUpperCase().split('-');
  return { country, state: state ?? null };
}

export function regionCode(region: HolidayRegion): string {
  return region.state ? `${region.country}-${region.state}` : region.country;
}

const calendars = new Map<string, Holidays>();
const years = new Map<string, Map<string, string>>();

function calendarFor(region: HolidayRegion): Holidays {
  const code = regionCode(region);
  let calendar = calendars.get(code);
  if (!calendar) {
    calendar = region.state
      ? new Holidays(region.country, region.state)
      : new Holidays(region.country);
    calendars.set(code, calendar);
  }
  return calendar;
}

let countryCodes: Set<string> | null = null;

/** Every country code the offline holiday calendar knows. */
export function knownCountries(): ReadonlySet<string> {
  countryCodes ??= new Set(Object.keys((new Holidays().getCountries() ?? {}) as object));
  return countryCodes;
}

/** The state codes the calendar knows for a country (empty when it has none). */
export function knownStates(country: string): string[] {
  return Object.keys((new Holidays().getStates(country) ?? {}) as object);
}

/** True when the calendar knows the country (and state, if one is given). */
export function isKnownRegion(region: HolidayRegion): boolean {
  if (!knownCountries().has(region.country)) return false;
  return region.state === null || knownStates(region.country).includes(region.state);
}

/** Public holidays of one year, keyed by date; only type "public" (days shops close or open like Sundays). */
function publicHolidays(region: HolidayRegion, year: number): Map<string, string> {
  const key = `${regionCode(region)}:${year}`;
  let found = years.get(key);
  if (!found) {
    found = new Map();
    for (const holiday of calendarFor(region).getHolidays(year)) {
      if (holiday.type !== 'public') continue;
      const date = holiday.date.slice(0, 10);
      if (!found.has(date)) found.set(date, holiday.name);
    }
    years.set(key, found);
  }
  return found;
}

/** The holiday on a date in a region, or null (always null while the bakery chose no region). */
export function isHoliday(region: HolidayRegion | string | null, date: string): Holiday | null {
  if (region === null) return null;
  const parsed = typeof region === 'string' ? parseRegion(region) : region;
  const name = publicHolidays(parsed, Number(date.slice(0, 4))).get(date);
  return name === undefined ? null : { date, name };
}

/** Every public holiday from `from` to `to` inclusive, in date order. */
export function holidaysBetween(
  region: HolidayRegion | string | null,
  from: string,
  to: string,
): Holiday[] {
  if (region === null) return [];
  const parsed = typeof region === 'string' ? parseRegion(region) : region;
  const result: Holiday[] = [];
  for (let year = Number(from.slice(0, 4)); year <= Number(to.slice(0, 4)); year++) {
    for (const [date, name] of publicHolidays(parsed, year)) {
      if (date >= from && date <= to) result.push({ date, name });
    }
  }
  return result.sort((a, b) => a.date.localeCompare(b.date));
}
