import type { Message } from '../../../electron/api/contract/messages/index.ts';
import { de } from './de.ts';
import { en, type Dictionary } from './en.ts';
import { fr } from './fr.ts';
import { formatMessage } from './messages/catalogue.ts';
import { de as deMessages } from './messages/de.ts';
import { en as enMessages } from './messages/en.ts';
import { fr as frMessages } from './messages/fr.ts';
import { formatters } from './formatters.ts';

export const dictionaries = { en, de, fr } satisfies Record<string, Dictionary>;
export type Language = keyof typeof dictionaries;
export const languages = Object.keys(dictionaries) as Language[];

const storageKey = 'breadcast.language';

const isLanguage = (value: unknown): value is Language =>
  typeof value === 'string' && Object.hasOwn(dictionaries, value);

/** The first browser language we speak, else English. */
export function browserLanguage(preferred: readonly string[] = navigator.languages): Language {
  for (const tag of preferred) {
    const base = tag.toLowerCase().split('-')[0];
    if (isLanguage(base)) return base;
  }
  return 'en';
}

function initialLanguage(): Language {
  const stored = localStorage.getItem(storageKey);
  return isLanguage(stored) ? stored : browserLanguage();
}

const state = $state({ language: initialLanguage(), currency: 'EUR' });

/** A full locale tag for Intl: the browser's own variant when it matches (de-AT, fr-CH). */
function localeTag(language: Language): string {
  const match = navigator.languages.find((tag) => tag.toLowerCase().split('-')[0] === language);
  return match ?? { en: 'en-GB', de: 'de-DE', fr: 'fr-FR' }[language];
}

export const locale = {
  get language(): Language {
    return state.language;
  },
  get tag(): string {
    return localeTag(state.language);
  },
  get currency(): string {
    return state.currency;
  },
  /** Whether the user picked a language in this browser (otherwise it follows defaults). */
  get chosen(): boolean {
    return isLanguage(localStorage.getItem(storageKey));
  },
  set(language: string, remember = true): void {
    if (!isLanguage(language)) return;
    state.language = language;
    if (remember) localStorage.setItem(storageKey, language);
    document.documentElement.lang = language;
  },
  setCurrency(currency: string): void {
    if (/^[A-Z]{3}$/.test(currency)) state.currency = currency;
  },
};

document.documentElement.lang = state.language;

/**
 * The current language's messages. Reading through the proxy touches reactive state, so any
 * template that shows `t.x.y` re-renders when the language changes.
 */
export const t: Dictionary = new Proxy({} as Dictionary, {
  get: (_target, key) => dictionaries[state.language][key as keyof Dictionary],
});

const catalogues = { en: enMessages, de: deMessages, fr: frMessages };

/** A backend message in the current language, numbers and dates included. */
export function say(message: Message): string {
  return formatMessage(
    message,
    catalogues[state.language],
    formatters(localeTag(state.language), state.currency),
  );
}
