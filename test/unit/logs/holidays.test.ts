import { describe, expect, it } from 'vitest';
import { holidaysBetween, isHoliday, parseRegion } from '../../../electron/logs/holidays.ts';
import { testBackend } from './api.ts';

describe('holiday calendar', () => {
  it('knows regional public holidays, offline', () => {
    expect(isHoliday('DE-NW', '2024-05-30')).toEqual({ date: '2024-05-30', name: 'Fronleichnam' });
    expect(isHoliday('DE-BE', '2024-05-30')).toBeNull();
    expect(isHoliday({ country: 'FR', state: null }, '2024-07-14')?.name).toMatch(
      /Fête nationale/i,
    );
    expect(isHoliday('FR', '2024-07-15')).toBeNull();
    expect(parseRegion('de-nw')).toEqual({ country: 'DE', state: 'NW' });
  });

  it('lists the holidays of a range across years, in order', () => {
    const list = holidaysBetween('DE-NW', '2023-12-20', '2024-01-02');
    expect(list.map((h) => h.date)).toEqual(['2023-12-25', '2023-12-26', '2024-01-01']);
  });

  it('a new region in settings refills the holiday flags of logged days; unknown regions are refused', async () => {
    const backend = testBackend();
    try {
      const roll = await backend.ok('products.create', { name: 'Roll', category: 'rolls' });
      for (const date of ['2024-05-29', '2024-05-30', '2024-07-14'])
        await backend.ok('logs.saveRow', {
          date,
          productId: roll.id,
          baked: null,
          sold: 5,
          wasted: null,
        });
      // A new bakery is asked where it is; until it answers no holiday is assumed.
      expect(await backend.ok('settings.get', {})).toMatchObject({
        holidayRegion: null,
        askLocation: true,
      });
      expect((await backend.ok('logs.history', {})).days.some((d) => d.holiday)).toBe(false);
      await backend.ok('settings.set', {
        holidayRegion: { country: 'DE', state: 'NW' },
        shopName: 'Bäckerei Korn',
        language: 'de',
      });
      expect(
        (await backend.ok('logs.history', {})).days.filter((d) => d.holiday).map((d) => d.date),
      ).toEqual(['2024-05-30']);
      const fr = await backend.ok('settings.set', {
        holidayRegion: { country: 'FR', state: null },
      });
      expect(fr).toEqual({
        shopName: 'Bäckerei Korn',
        language: 'de',
        holidayRegion: { country: 'FR', state: null },
        currency: 'EUR',
        timeZone: Intl.DateTimeFormat().resolvedOptions().timeZone,
        askLocation: false,
        weather: expect.objectContaining({ enabled: true, latitude: null, longitude: null }),
      });
      expect(
        (await backend.ok('logs.history', {})).days.filter((d) => d.holiday).map((d) => d.date),
      ).toEqual(['2024-07-14']);
      const wrong = await backend.call('settings.set', {
        holidayRegion: { country: 'DE', state: 'XX' },
      });
      expect(wrong.ok ? null : wrong.error.reason).toEqual({
        code: 'refusal.unknownRegion',
        params: { region: 'DE-XX' },
      });
      const regions = await backend.ok('settings.holidayRegions', {});
      expect(
        regions.countries.find((c) => c.code === 'DE')?.states.some((s) => s.code === 'NW'),
      ).toBe(true);
    } finally {
      backend.close();
    }
  });
});
