import { z } from 'zod';
import { isTimeZone } from '../../../federated/calendar/dates.ts';
import { method } from './define.ts';

export const language = z.enum(['en', 'de', 'fr']);
export type Language = z.infer<typeof language>;

/** A public-holiday region as ISO codes: country "DE" and optional state "NW" (written DE-NW). */
export const holidayRegion = z.object({
  country: z.string().regex(/^[A-Z]{2}$/, 'Use a two-letter country code such as DE or FR.'),
  state: z
    .string()
    .regex(/^[A-Z0-9]{1,3}$/, 'Use a state code such as NW.')
    .nullable(),
});
export type HolidayRegion = z.infer<typeof holidayRegion>;

export const currencyCode = z
  .string()
  .regex(/^[A-Z]{3}$/, 'Use a three-letter currency code such as EUR or CHF.');

/** An IANA time-zone name this platform knows, such as Europe/Berlin. */
export const timeZoneName = z
  .string()
  .min(1)
  .max(64)
  .refine(isTimeZone, 'Use a time zone such as Europe/Berlin.');

/** Weather forecasts for the bakery's place (see docs/privacy.md: the request reveals it). */
export const weatherSettings = z.object({
  /** Fetch the forecast of the next days every night (on unless the bakery turns it off). */
  enabled: z.boolean(),
  /** Entered coordinates (WGS84); null = the reference city of the bakery's time zone. */
  latitude: z.number().min(-90).max(90).nullable(),
  longitude: z.number().min(-180).max(180).nullable(),
});

export const settings = z.object({
  /** Empty until the baker names the bakery (the app then says "my bakery" in its language). */
  shopName: z.string(),
  language,
  /** Null until the bakery says where it is: then no holidays are assumed at all. */
  holidayRegion: holidayRegion.nullable(),
  /** The shop's money (ISO 4217); follows the country until chosen. */
  currency: currencyCode,
  /** The bakery's clock: its "today", "tomorrow" and nightly time. The machine's zone until chosen. */
  timeZone: z.string(),
  /** True until a location was saved: the app asks where the bakery is (first run, or once for
   * a bakery that never chose a region). */
  askLocation: z.boolean(),
  /** What was chosen, and the place a forecast is asked for (null: none known yet). */
  weather: weatherSettings.extend({
    place: z
      .object({
        latitude: z.number(),
        longitude: z.number(),
        source: z.enum(['entered', 'time-zone']),
      })
      .nullable(),
  }),
});
export type Settings = z.infer<typeof settings>;

/** A prefill for the location question, with what it was guessed from. */
export const locationSuggestion = z.object({
  /** import = the holidays flagged in the imported history; time-zone / locale = this machine;
   * language = the shop's language; none = nothing to go on. */
  source: z.enum(['import', 'time-zone', 'language', 'locale', 'none']),
  holidayRegion: holidayRegion.nullable(),
  currency: currencyCode,
  timeZone: z.string(),
  language,
});
export type LocationSuggestion = z.infer<typeof locationSuggestion>;

export const backupInfo = z.object({
  /** File name inside the backups folder; the handle for restore. */
  name: z.string(),
  createdAt: z.string(),
  bytes: z.number().int(),
  kind: z.enum(['daily', 'manual', 'safety']),
});
export type BackupInfo = z.infer<typeof backupInfo>;

export const dataContract = {
  'export.csv': method(
    'Every product and log as CSV in the import format (date, product, sold, baked, wasted, category, shelf_life_days, unit_price, unit_cost, closed, temperature, rain, holiday).',
    z.object({}).strict(),
    z.object({ csv: z.string(), fileName: z.string(), rows: z.number().int() }),
  ),
  'backups.list': method(
    'Backups next to the database, newest first.',
    z.object({}).strict(),
    z.object({ directory: z.string(), backups: z.array(backupInfo) }),
  ),
  'backups.create': method(
    'Takes a backup now (online backup of the live database).',
    z.object({}).strict(),
    backupInfo,
  ),
  'backups.restore': method(
    'Replaces the database with a backup after checking it opens and passes the integrity check; the current file is kept as a safety copy first.',
    z.object({ name: z.string().min(1).max(200) }).strict(),
    z.object({ restored: z.string(), safetyCopy: backupInfo }),
  ),
  'settings.get': method('Shop settings.', z.object({}).strict(), settings),
  'settings.set': method(
    'Changes some settings. A new holiday region refills the holiday flags of logged days and answers the location question (askLocation becomes false).',
    z
      .object({
        shopName: z.string().trim().min(1).max(80).optional(),
        language: language.optional(),
        holidayRegion: holidayRegion.optional(),
        currency: currencyCode.optional(),
        timeZone: timeZoneName.optional(),
        weather: weatherSettings
          .refine(
            (w) => (w.latitude === null) === (w.longitude === null),
            'Enter both latitude and longitude, or neither.',
          )
          .optional(),
      })
      .strict(),
    settings,
  ),
  'settings.locationSuggestion': method(
    "What to prefill the location question with: from the imported history's holiday flags, this machine's time zone, the shop language or the system locale.",
    z.object({}).strict(),
    locationSuggestion,
  ),
  'settings.holidayRegions': method(
    "Countries and their states known to the offline holiday calendar, with each country's currency and time zones, for the location question.",
    z.object({}).strict(),
    z.object({
      countries: z.array(
        z.object({
          code: z.string(),
          name: z.string(),
          currency: currencyCode.nullable(),
          timeZones: z.array(z.string()),
          states: z.array(z.object({ code: z.string(), name: z.string() })),
        }),
      ),
    }),
  ),
};
