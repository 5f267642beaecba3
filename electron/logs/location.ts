import { countries } from 'countries-list';
import ct from 'countries-and-timezones';
import type { HolidayRegion, Language, LocationSuggestion } from '../api/contract/data.ts';
import { isTimeZone, systemTimeZone } from '../../federated/calendar/dates.ts';
import type { Db } from '../store/database.ts';
import Holidays from 'date-holidays';
import { holidaysBetween, knownCountries, knownStates } from './holidays.ts';

/**
 * Where a bakery is: the facts that follow from its country (currency, time zones, language)
 * and the best guess to prefill the first-run question with. Pure except for `suggestLocation`,
 * which reads the imported holiday flags.
 */

type CountryCode = keyof typeof countries;
const languages: readonly Language[] = ['en', 'de', 'fr'];

function countryFacts(code: string) {
  return (countries as Record<string, (typeof countries)[CountryCode] | undefined>)[code] ?? null;
}

/** The country's everyday currency (ISO 4217), or null for a code we do not know. */
export function currencyOf(country: string): string | null {
  return countryFacts(country)?.currency[0] ?? null;
}

/** The IANA zones of a country, as this platform knows them. */
export function timeZonesOf(country: string): string[] {
  return (ct.getCountry(country)?.timezones ?? []).filter(isTimeZone);
}

/** The zone to propose for a country: the machine's own when it lies there, else the main one. */
export function timeZoneFor(country: string, system = systemTimeZone()): string {
  const zones = timeZonesOf(country);
  return zones.includes(system) ? system : (zones[0] ?? system);
}

/** The app language to propose for a country: its first official language we speak. */
export function languageOf(country: string, fallback: Language): Language {
  const spoken = countryFacts(country)?.languages ?? [];
  return (spoken.find((l) => (languages as readonly string[]).includes(l)) as Language) ?? fallback;
}

/** The country most bakeries writing a language are in (English says nothing: too many). */
const languageHome: Partial<Record<Language, string>> = { de: 'DE', fr: 'FR' };

/** The region part of a BCP 47 locale such as de-AT or fr-FR, when it names a country. */
export function countryOfLocale(locale: string): string | null {
  const region = (() => {
    try {
      return new Intl.Locale(locale).region ?? null;
    } catch {
      return null;
    }
  })();
  return region && /^[A-Z]{2}$/.test(region) && knownCountries().has(region) ? region : null;
}

/** The locale this machine runs with (LANG / LC_ALL in plain Node, the OS setting in Electron). */
export function systemLocale(): string {
  const env = process.env.LC_ALL || process.env.LC_MESSAGES || process.env.LANG || '';
  const fromEnv = env.split('.')[0]?.replace('_', '-') ?? '';
  if (fromEnv && fromEnv !== 'C' && fromEnv !== 'POSIX') return fromEnv;
  return Intl.DateTimeFormat().resolvedOptions().locale;
}

/** F1 overlap of two date sets: 1 when they match, 0 when they share nothing. */
function overlap(a: ReadonlySet<string>, b: readonly string[]): number {
  if (a.size === 0 || b.length === 0) return 0;
  const common = b.filter((d) => a.has(d)).length;
  return (2 * common) / (a.size + b.length);
}

/**
 * The countries a flagged history is compared with. Computing a country's calendar costs tens of
 * milliseconds a year, too slow for all 200 behind a question the user waits on, so the candidates
 * are the app's markets (where its languages are spoken in Europe, and the large English-speaking
 * countries) plus whatever this machine points at.
 */
const marketCountries = ['DE', 'AT', 'CH', 'LI', 'LU', 'BE', 'FR', 'MC', 'NL', 'IT', 'GB', 'IE'];
const englishCountries = ['US', 'CA', 'AU', 'NZ'];

/**
 * The region whose public holidays best match the days a file flagged as holidays: countries
 * first, then that country's states when one of them fits better. Needs at least three flagged
 * days and a fit of at least 0.6; otherwise the flags say too little to guess from. Regions whose
 * calendars are identical over the file's years cannot be told apart: the first one wins.
 */
export function regionFromHolidays(
  flagged: readonly string[],
  alsoCountries: readonly string[] = [],
): HolidayRegion | null {
  // One calendar year is evidence enough and halves the cost: the year with the most flags.
  const perYear = new Map<string, string[]>();
  for (const date of flagged)
    perYear.set(date.slice(0, 4), [...(perYear.get(date.slice(0, 4)) ?? []), date]);
  const [year, dates] = [...perYear].sort((a, b) => b[1].length - a[1].length)[0] ?? ['', []];
  if (dates.length < 3) return null;
  const days = new Set(dates);
  const inRange = (region: HolidayRegion) =>
    holidaysBetween(region, `${year}-01-01`, `${year}-12-31`).map((h) => h.date);
  let best: { region: HolidayRegion; fit: number } | null = null;
  const candidates = new Set([...alsoCountries, ...marketCountries, ...englishCountries]);
  for (const country of candidates) {
    if (!knownCountries().has(country)) continue;
    const region = { country, state: null };
    const fit = overlap(days, inRange(region));
    if (!best || fit > best.fit) best = { region, fit };
  }
  if (!best || best.fit < 0.6) return null;
  const country = best.region.country;
  for (const state of knownStates(country)) {
    const region = { country, state };
    const fit = overlap(days, inRange(region));
    if (fit > best.fit) best = { region, fit };
  }
  return best.region;
}

/** The days the bakery's own data flagged as holidays (a file's holiday column, or by hand). */
function flaggedHolidays(db: Db): string[] {
  return db
    .prepare<[], { date: string }>('SELECT date FROM day_context WHERE holiday = 1 ORDER BY date')
    .all()
    .map((r) => r.date);
}

/**
 * What to prefill the location question with, best evidence first: the holidays the imported
 * history flagged, then the machine's time zone (a Berlin clock is a German bakery more often
 * than not), then the shop's language, then the machine's locale. `region` null = no guess.
 */
export function suggestLocation(
  db: Db,
  language: Language,
  system: { timeZone: string; locale: string } = {
    timeZone: systemTimeZone(),
    locale: systemLocale(),
  },
): LocationSuggestion {
  const fromZone = ct.getCountryForTimezone(system.timeZone)?.id ?? null;
  const fromLocale = countryOfLocale(system.locale);
  const guesses: [LocationSuggestion['source'], () => HolidayRegion | null][] = [
    [
      'import',
      () =>
        regionFromHolidays(
          flaggedHolidays(db),
          [fromZone, fromLocale].filter((c) => c !== null),
        ),
    ],
    ['time-zone', () => (fromZone && knownCountries().has(fromZone) ? country(fromZone) : null)],
    ['language', () => (languageHome[language] ? country(languageHome[language]) : null)],
    ['locale', () => (fromLocale ? country(fromLocale) : null)],
  ];
  for (const [source, guess] of guesses) {
    const region = guess();
    if (!region) continue;
    return {
      source,
      holidayRegion: region,
      currency: currencyOf(region.country) ?? 'EUR',
      timeZone: timeZoneFor(region.country, system.timeZone),
      language: language === 'en' ? languageOf(region.country, language) : language,
    };
  }
  return {
    source: 'none',
    holidayRegion: null,
    currency: 'EUR',
    timeZone: system.timeZone,
    language,
  };
}

const country = (code: string): HolidayRegion => ({ country: code, state: null });

/** The countries and states for the location question, named in the shop's language. */
export function regionList(language: Language) {
  const hd = new Holidays();
  const names = (hd.getCountries(language) ?? {}) as Record<string, string>;
  return Object.entries(names)
    .map(([code, name]) => ({
      code,
      name,
      currency: currencyOf(code),
      timeZones: timeZonesOf(code),
      states: Object.entries((hd.getStates(code, language) ?? {}) as Record<string, string>).map(
        ([stateCode, stateName]) => ({ code: stateCode, name: stateName }),
      ),
    }))
    .sort((a, b) => a.name.localeCompare(b.name, language));
}
