import { Temporal } from 'temporal-polyfill';

/**
 * The project's one date module. A bakery's day is a calendar date (YYYY-MM-DD) in the bakery's
 * time zone: "today", "tomorrow" and the nightly schedule are read on that clock, never on UTC's
 * and never on whatever zone the process happens to run in. The calendar arithmetic is Temporal's
 * (the standard's polyfill), so month lengths, leap years and daylight-saving gaps are not ours to
 * get wrong. Pure: the renderer imports this module too (see eslint.config.js).
 */

const epoch = Temporal.PlainDate.from('1970-01-01');
const isoPattern = /^\d{4}-\d{2}-\d{2}$/;

/**
 * What the features need of a date is looked up once per distinct date: feature extraction asks
 * for the same few thousand dates across every product, and cached integers keep its loops cheap.
 */
type DayFacts = { day: number; weekday: number; dayOfYear: number };
const facts = new Map<string, DayFacts>();
const dates = new Map<number, string>();
const cacheLimit = 200_000;

function plain(date: string): Temporal.PlainDate {
  return Temporal.PlainDate.from(date, { overflow: 'reject' });
}

function factsOf(date: string): DayFacts {
  let found = facts.get(date);
  if (found === undefined) {
    const value = plain(date);
    found = {
      day: epoch.until(value, { largestUnit: 'days' }).days,
      weekday: value.dayOfWeek - 1,
      dayOfYear: value.dayOfYear,
    };
    if (facts.size > cacheLimit) facts.clear();
    facts.set(date, found);
  }
  return found;
}

/** True for a YYYY-MM-DD string naming a day that exists (no 2023-02-30). */
export function isRealDate(value: string): boolean {
  if (!isoPattern.test(value)) return false;
  try {
    factsOf(value);
    return true;
  } catch {
    return false;
  }
}

/** Days since 1970-01-01: the integer the feature arrays are indexed by. */
export function dayNumber(date: string): number {
  return factsOf(date).day;
}

/** The YYYY-MM-DD date of a day number. */
export function dateOfDay(day: number): string {
  let found = dates.get(day);
  if (found === undefined) {
    found = epoch.add({ days: day }).toString();
    if (dates.size > cacheLimit) dates.clear();
    dates.set(day, found);
  }
  return found;
}

export function addDays(date: string, days: number): string {
  return dateOfDay(dayNumber(date) + days);
}

/** Calendar days from `from` to `to` (negative when `to` is earlier). */
export function daysBetween(from: string, to: string): number {
  return dayNumber(to) - dayNumber(from);
}

/** Every date from `from` to `to` inclusive (empty when `to` is earlier). */
export function datesBetween(from: string, to: string): string[] {
  const start = dayNumber(from);
  return Array.from({ length: Math.max(dayNumber(to) - start + 1, 0) }, (_, i) =>
    dateOfDay(start + i),
  );
}

/** 0 = Monday … 6 = Sunday (the order par levels are stored in), for a date or a day number. */
export function weekdayIndex(day: string | number): number {
  return factsOf(typeof day === 'number' ? dateOfDay(day) : day).weekday;
}

/** Fraction of the year (0..1) reached at the start of the day, for the season features. */
export function yearFraction(day: string | number): number {
  return (factsOf(typeof day === 'number' ? dateOfDay(day) : day).dayOfYear - 1) / 365.25;
}

/** The zone this machine runs in (the TZ environment variable, else the system setting). */
export function systemTimeZone(): string {
  return Temporal.Now.timeZoneId();
}

/** True for a time-zone name this platform knows (IANA, e.g. Europe/Berlin, or UTC). */
export function isTimeZone(name: string): boolean {
  if (!/^[A-Za-z0-9_+\-/]{1,64}$/.test(name)) return false;
  try {
    Temporal.Now.instant().toZonedDateTimeISO(name);
    return true;
  } catch {
    return false;
  }
}

function zoned(moment: Date, timeZone: string): Temporal.ZonedDateTime {
  return Temporal.Instant.fromEpochMilliseconds(moment.getTime()).toZonedDateTimeISO(timeZone);
}

/** The calendar date at a moment on the bakery's clock. */
export function dateAt(moment: Date, timeZone: string): string {
  return zoned(moment, timeZone).toPlainDate().toString();
}

/** The wall-clock time HH:MM at a moment in a zone. */
export function clockTimeAt(moment: Date, timeZone: string): string {
  return zoned(moment, timeZone).toPlainTime().toString({ smallestUnit: 'minute' });
}

/** True for a wall-clock time written HH:MM (00:00 … 23:59). */
export function isClockTime(value: string): boolean {
  return /^([01]\d|2[0-3]):[0-5]\d$/.test(value);
}

/**
 * The moment a date's wall-clock time HH:MM happens in a zone. On the night clocks spring forward
 * a time inside the gap (02:30 in Berlin on the last Sunday of March) happens as late as the
 * clock skipped (03:30); on the night they fall back, an hour that happens twice counts once, the
 * first time.
 */
export function momentOf(date: string, time: string, timeZone: string): Date {
  const at = plain(date)
    .toPlainDateTime(Temporal.PlainTime.from(time))
    .toZonedDateTime(timeZone, { disambiguation: 'compatible' });
  return new Date(at.epochMilliseconds);
}

/** The latest moment at wall-clock HH:MM in the zone that is not after `now`. */
export function lastOccurrence(time: string, now: Date, timeZone: string): Date {
  const today = dateAt(now, timeZone);
  const sameDay = momentOf(today, time, timeZone);
  return sameDay <= now ? sameDay : momentOf(addDays(today, -1), time, timeZone);
}

/** The first moment at wall-clock HH:MM in the zone that is after `now`. */
export function nextOccurrence(time: string, now: Date, timeZone: string): Date {
  const today = dateAt(now, timeZone);
  const sameDay = momentOf(today, time, timeZone);
  return sameDay > now ? sameDay : momentOf(addDays(today, 1), time, timeZone);
}
