import { z } from 'zod';
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

export const settings = z.object({
  shopName: z.string(),
  language,
  holidayRegion,
});
export type Settings = z.infer<typeof settings>;

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
    'Changes some settings. A new holiday region refills the holiday flags of logged days.',
    z
      .object({
        shopName: z.string().trim().min(1).max(80).optional(),
        language: language.optional(),
        holidayRegion: holidayRegion.optional(),
      })
      .strict(),
    settings,
  ),
  'settings.holidayRegions': method(
    'Countries and their states known to the offline holiday calendar, for the region picker.',
    z.object({}).strict(),
    z.object({
      countries: z.array(
        z.object({
          code: z.string(),
          name: z.string(),
          states: z.array(z.object({ code: z.string(), name: z.string() })),
        }),
      ),
    }),
  ),
};
