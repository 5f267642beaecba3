import { afterEach, describe, expect, it } from 'vitest';
import type { Message } from '../../../electron/api/contract/messages/index.ts';
import { formatters } from '../../../renderer/src/i18n/formatters.ts';
import { formatMessage } from '../../../renderer/src/i18n/messages/catalogue.ts';
import { de } from '../../../renderer/src/i18n/messages/de.ts';
import { en } from '../../../renderer/src/i18n/messages/en.ts';
import { fr } from '../../../renderer/src/i18n/messages/fr.ts';
import { testBackend, type TestBackend } from '../logs/api.ts';

const words = {
  en: (m: Message) => formatMessage(m, en, formatters('en-GB', 'EUR')),
  de: (m: Message) => formatMessage(m, de, formatters('de-DE', 'EUR')),
  fr: (m: Message) => formatMessage(m, fr, formatters('fr-FR', 'EUR')),
};

let backend: TestBackend | undefined;
afterEach(() => backend?.close());

/** Intl puts no-break spaces before % and inside French numbers; compare them as plain spaces. */
const plain = (text: string) => text.replace(/[\u202f\u00a0]/g, ' ');

describe('backend messages in the shop language', () => {
  it('words a daily-entry refusal with its numbers in en, de and fr', async () => {
    backend = testBackend();
    const roll = await backend.ok('products.create', { name: 'Roll', category: 'rolls' });
    const refused = await backend.call('logs.saveRow', {
      date: '2024-03-10',
      productId: roll.id,
      baked: 10,
      sold: 9,
      wasted: 2,
    });
    if (refused.ok) return expect.fail('the row was saved');
    const reason = refused.error.issues?.[0]?.reason;
    if (!reason) return expect.fail('the refusal carries no reason');
    expect(words.en(reason)).toBe('Sold 9 and wasted 2 make 11, more than baked 10.');
    expect(words.de(reason)).toBe('9 verkauft und 2 weggeworfen ergeben 11, mehr als 10 gebacken.');
    expect(words.fr(reason)).toBe('9 vendus et 2 jetés font 11, plus que 10 cuits.');
  });

  it('words import problems line by line, whatever language the shop had when checking', async () => {
    backend = testBackend();
    const csv = [
      'date,product,sold,baked',
      '2024-02-30,Roll,1,2',
      '2024-01-02,Roll,-3,4',
      '2024-01-04,Roll,9,4',
      '',
    ].join('\n');
    const preview = await backend.ok('import.preview', { csv });
    expect(preview.problems.map((p) => [p.line, p.column, words.en(p.reason)])).toEqual([
      [2, 'date', 'The date 2024-02-30 does not exist in the calendar.'],
      [3, 'sold', 'Sold cannot be negative (found -3).'],
      [4, 'sold', 'Sold 9 is more than baked 4.'],
    ]);
    expect(preview.problems.map((p) => words.de(p.reason))).toEqual([
      'Das Datum 2024-02-30 gibt es im Kalender nicht.',
      'Verkauft darf nicht negativ sein (gefunden: -3).',
      '9 verkauft ist mehr als 4 gebacken.',
    ]);
    expect(preview.problems.map((p) => plain(words.fr(p.reason)))).toEqual([
      'La date 2024-02-30 n’existe pas dans le calendrier.',
      '« Vendus » ne peut pas être négatif (trouvé : -3).',
      '9 vendus, c’est plus que 4 cuits.',
    ]);
    const refused = await backend.call('import.commit', { csv });
    if (refused.ok) return expect.fail('the file was imported');
    expect(refused.error.reason).toEqual({ code: 'import.refused', params: { problems: 3 } });
    expect(refused.error.issues?.map((i) => i.path)).toEqual(['2.date', '3.sold', '4.sold']);
  });

  it('formats numbers, shares and money with Intl in each language', () => {
    const reason: Message = { code: 'forecast.weekday', params: { weekday: 5, effect: 0.16 } };
    expect(words.en(reason)).toBe('Saturday: +16% against an average day');
    expect(plain(words.de(reason))).toBe('Samstag: +16 % gegenüber einem durchschnittlichen Tag');
    expect(plain(words.fr(reason))).toBe('samedi : +16 % par rapport à un jour moyen');
    const big: Message = { code: 'entry.tooLarge', params: { field: 'sold', max: 100_000 } };
    expect(words.en(big)).toBe('Sold looks too large (at most 100,000).');
    expect(words.de(big)).toBe('Verkauft scheint zu groß (höchstens 100.000).');
    expect(plain(words.fr(big))).toBe('Vendu semble trop grand (au plus 100 000).');
  });
});
