import { describe, expect, it } from 'vitest';
import { holidaysBetween } from '../../../electron/logs/holidays.ts';
import { regionFromHolidays, suggestLocation } from '../../../electron/logs/location.ts';
import { commitImport } from '../../../electron/logs/import/importer.ts';
import { stringSource } from '../../../electron/logs/import/source.ts';
import { datesBetween } from '../../../federated/calendar/dates.ts';
import { testBackend } from './api.ts';
import { tempDb } from './helpers.ts';

const utc = { timeZone: 'UTC', locale: 'en-US' };

/** A two-year history whose holiday column marks exactly the given region's public holidays. */
function historyFlagging(region: string): string {
  const holidays = new Set(holidaysBetween(region, '2023-01-01', '2024-12-31').map((h) => h.date));
  const lines = datesBetween('2023-01-01', '2024-12-31').map(
    (date) => `${date},Roll,${holidays.has(date) ? 0 : 40},${holidays.has(date) ? 1 : 0}`,
  );
  return `date,product,sold,holiday\n${lines.join('\n')}\n`;
}

describe('where the bakery is', () => {
  it('a new bakery is asked, assumes no region, and saving one answers the question once', async () => {
    const backend = testBackend();
    try {
      const fresh = await backend.ok('settings.get', {});
      expect(fresh).toMatchObject({ holidayRegion: null, askLocation: true, currency: 'EUR' });
      const saved = await backend.ok('settings.set', {
        holidayRegion: { country: 'CH', state: 'ZH' },
        timeZone: 'Europe/Zurich',
      });
      // The currency follows the country until the bakery picks one itself.
      expect(saved).toMatchObject({
        askLocation: false,
        currency: 'CHF',
        timeZone: 'Europe/Zurich',
      });
      expect(await backend.ok('settings.set', { currency: 'EUR' })).toMatchObject({
        currency: 'EUR',
        askLocation: false,
      });
      for (const bad of [{ timeZone: 'Mars/Olympus_Mons' }, { currency: 'euro' }]) {
        const refused = await backend.call('settings.set', bad);
        expect(refused.ok).toBe(false);
      }
      const regions = await backend.ok('settings.holidayRegions', {});
      expect(regions.countries.find((c) => c.code === 'FR')).toMatchObject({
        currency: 'EUR',
        timeZones: ['Europe/Paris'],
      });
    } finally {
      backend.close();
    }
  });

  it('guesses the region from the holidays an imported history flagged, down to the state', async () => {
    expect(regionFromHolidays([])).toBeNull();
    for (const [code, region] of [
      ['FR', { country: 'FR', state: null }],
      ['DE-SN', { country: 'DE', state: 'SN' }],
      ['AT', { country: 'AT', state: null }],
    ] as const) {
      const { db } = tempDb();
      await commitImport(db, stringSource(historyFlagging(code)), {});
      const suggestion = suggestLocation(db, 'en', utc);
      expect(suggestion).toMatchObject({ source: 'import', holidayRegion: region });
      db.close();
    }
  });

  it('otherwise prefills from the machine’s time zone, the shop language, then the locale', () => {
    const { db } = tempDb();
    expect(suggestLocation(db, 'en', { timeZone: 'Europe/Paris', locale: 'en-US' })).toEqual({
      source: 'time-zone',
      holidayRegion: { country: 'FR', state: null },
      currency: 'EUR',
      timeZone: 'Europe/Paris',
      language: 'fr',
    });
    expect(suggestLocation(db, 'de', utc)).toMatchObject({
      source: 'language',
      holidayRegion: { country: 'DE', state: null },
      timeZone: 'Europe/Berlin',
      language: 'de',
    });
    expect(suggestLocation(db, 'en', { timeZone: 'UTC', locale: 'fr-CH' })).toMatchObject({
      source: 'locale',
      holidayRegion: { country: 'CH', state: null },
      currency: 'CHF',
      timeZone: 'Europe/Zurich',
    });
    expect(suggestLocation(db, 'en', { timeZone: 'UTC', locale: 'en' })).toEqual({
      source: 'none',
      holidayRegion: null,
      currency: 'EUR',
      timeZone: 'UTC',
      language: 'en',
    });
    db.close();
  });
});
