import { de } from '../../renderer/src/i18n/de.ts';
import { en, type Dictionary } from '../../renderer/src/i18n/en.ts';
import { fr } from '../../renderer/src/i18n/fr.ts';
import { formatters } from '../../renderer/src/i18n/formatters.ts';
import type { Catalogue } from '../../renderer/src/i18n/messages/catalogue.ts';
import { de as deMessages } from '../../renderer/src/i18n/messages/de.ts';
import { en as enMessages } from '../../renderer/src/i18n/messages/en.ts';
import { fr as frMessages } from '../../renderer/src/i18n/messages/fr.ts';

const wordPattern = /[\p{L}’']{3,}/gu;
const tokens = (text: string) => (text.match(wordPattern) ?? []).map((w) => w.toLowerCase());

/** Arguments that fill any message: a count for numbers, a placeholder for words. */
const anyValue: unknown = new Proxy(() => anyValue, {
  get: (_target, key) =>
    key === Symbol.toPrimitive ? () => 7 : key === 'join' ? () => '' : anyValue,
});

/** Every word a dictionary (and its message catalogue) can put on screen. */
export function wordsOf(dictionary: Dictionary | Catalogue, into = new Set<string>()): Set<string> {
  const f = formatters('en-GB', 'EUR');
  const visit = (value: unknown): void => {
    if (typeof value === 'string') for (const word of tokens(value)) into.add(word);
    else if (typeof value === 'function') {
      try {
        visit(
          (value as (...args: unknown[]) => unknown)(anyValue, f, anyValue, anyValue, anyValue),
        );
      } catch {
        // A message that cannot be filled with placeholders still had its other words counted.
      }
    } else if (value && typeof value === 'object') Object.values(value).forEach(visit);
  };
  visit(dictionary);
  return into;
}

const languages = {
  en: [en, enMessages],
  de: [de, deMessages],
  fr: [fr, frMessages],
} as const;

/**
 * Words the platform's Intl writes in a language (relative times, month and weekday names):
 * German "vor 1 Minute" is German even though "minute" is also an English word of ours.
 */
function intlWords(language: keyof typeof languages, into: Set<string>): Set<string> {
  const units: Intl.RelativeTimeFormatUnit[] = ['second', 'minute', 'hour', 'day', 'month', 'year'];
  const relative = new Intl.RelativeTimeFormat(language, { numeric: 'auto' });
  const texts = units.flatMap((unit) => [-2, -1, 0, 1, 2].map((n) => relative.format(n, unit)));
  for (let month = 0; month < 12; month++) {
    const day = new Date(Date.UTC(2024, month, 1 + month));
    texts.push(
      new Intl.DateTimeFormat(language, { dateStyle: 'full', timeZone: 'UTC' }).format(day),
    );
  }
  // The location form lists every currency ("Usbekistan-Sum") and country by the names Intl
  // gives them in the language.
  const currencies = new Intl.DisplayNames(language, { type: 'currency' });
  for (const code of Intl.supportedValuesOf('currency')) texts.push(currencies.of(code) ?? '');
  const regions = new Intl.DisplayNames(language, { type: 'region', fallback: 'none' });
  const letters = [...'ABCDEFGHIJKLMNOPQRSTUVWXYZ'];
  for (const first of letters)
    for (const second of letters) texts.push(regions.of(first + second) ?? '');
  for (const text of texts) for (const word of tokens(text)) into.add(word);
  return into;
}

const vocabulary = (language: keyof typeof languages) => {
  const [dictionary, messages] = languages[language];
  return intlWords(language, wordsOf(messages, wordsOf(dictionary)));
};

/**
 * English words on a German or French screen: words the English dictionary or messages use
 * that the other language's dictionary and messages never do. Names (products, holidays) and
 * numbers are not English words of ours, so they pass.
 */
export function leftoverEnglish(text: string, language: 'de' | 'fr'): string[] {
  const english = vocabulary('en');
  const own = vocabulary(language);
  const found = new Set<string>();
  // Words in capitals are codes (the currency in "Albanischer Lek (ALL)"), not prose.
  const prose = text.replace(/\b\p{Lu}{3,}\b/gu, ' ');
  for (const word of tokens(prose)) if (english.has(word) && !own.has(word)) found.add(word);
  return [...found].sort();
}

export const englishWords = () => vocabulary('en');
