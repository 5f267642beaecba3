import { afterEach, describe, expect, it } from 'vitest';
import { testBackend, type TestBackend } from './api.ts';

let backend: TestBackend | undefined;
afterEach(() => backend?.close());

// Line 2 is fine; 3 has a date missing from the calendar, 4 a negative count, 5 a date in the
// wrong format, 6 sells more than was baked (the stock rule shared with the daily entry).
const csv = [
  'date,product,sold,baked',
  '2024-01-01,Roll,5,10',
  '2024-02-30,Roll,1,2',
  '2024-01-02,Roll,-3,4',
  '01.03.2024,Roll,1,2',
  '2024-01-04,Roll,9,4',
  '',
].join('\n');

const expected = {
  en: [
    { line: 3, column: 'date', message: 'date 2024-02-30 does not exist in the calendar.' },
    { line: 4, column: 'sold', message: 'sold cannot be negative (got -3).' },
    { line: 5, column: 'date', message: 'date "01.03.2024" is not written as YYYY-MM-DD.' },
    { line: 6, column: 'sold', message: 'Sold 9 is more than baked 4 (4).' },
  ],
  de: [
    { line: 3, column: 'date', message: 'Datum 2024-02-30 gibt es im Kalender nicht.' },
    { line: 4, column: 'sold', message: 'sold darf nicht negativ sein (gefunden: -3).' },
    {
      line: 5,
      column: 'date',
      message: 'Datum „01.03.2024“ ist nicht als JJJJ-MM-TT geschrieben.',
    },
    { line: 6, column: 'sold', message: '9 verkauft ist mehr als 4 gebacken (4).' },
  ],
  fr: [
    { line: 3, column: 'date', message: 'la date 2024-02-30 n’existe pas dans le calendrier.' },
    { line: 4, column: 'sold', message: 'sold ne peut pas être négatif (trouvé : -3).' },
    { line: 5, column: 'date', message: 'la date « 01.03.2024 » n’est pas écrite AAAA-MM-JJ.' },
    { line: 6, column: 'sold', message: '9 vendus, c’est plus que 4 cuits (4).' },
  ],
} as const;

describe('import problems follow the shop language', () => {
  for (const language of ['en', 'de', 'fr'] as const) {
    it(`previews and refuses a bad file in ${language}`, async () => {
      backend = testBackend();
      if (language !== 'en') await backend.ok('settings.set', { language });
      const preview = await backend.ok('import.preview', { csv });
      expect(preview.problems).toEqual(expected[language]);
      expect(preview.canImport).toBe(false);

      const refused = await backend.call('import.commit', { csv });
      expect(refused.ok).toBe(false);
      if (!refused.ok) {
        expect(refused.error.issues?.map((i) => i.path)).toEqual([
          'line 3: date',
          'line 4: sold',
          'line 5: date',
          'line 6: sold',
        ]);
        expect(refused.error.message).toContain(expected[language][0].message);
        expect(refused.error.message).toMatch(
          {
            en: /^The file was not imported/,
            de: /^Die Datei wurde nicht importiert/,
            fr: /^Le fichier n’a pas été importé/,
          }[language],
        );
      }
    });
  }

  it('switches language between two previews of the same dates (no cached words)', async () => {
    backend = testBackend();
    await backend.ok('settings.set', { language: 'de' });
    expect((await backend.ok('import.preview', { csv })).problems[0]?.message).toBe(
      expected.de[0].message,
    );
    await backend.ok('settings.set', { language: 'fr' });
    expect((await backend.ok('import.preview', { csv })).problems[0]?.message).toBe(
      expected.fr[0].message,
    );
  });
});
