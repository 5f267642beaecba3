import { de } from './de.ts';
import { en, type Dictionary } from './en.ts';
import { fr } from './fr.ts';

export const dictionaries = { en, de, fr } satisfies Record<string, Dictionary>;
export type Language = keyof typeof dictionaries;
export const languages = Object.keys(dictionaries) as Language[];

const storageKey = 'breadcast.dashboard.language';

const isLanguage = (value: unknown): value is Language =>
  typeof value === 'string' && Object.hasOwn(dictionaries, value);

/** The first of the browser's languages the dashboard speaks, else English. */
export function browserLanguage(preferred: readonly string[]): Language {
  for (const tag of preferred) {
    const base = tag.toLowerCase().split('-')[0];
    if (isLanguage(base)) return base;
  }
  return 'en';
}

// The operator's own choice on this browser wins over the browser's languages.
const stored = localStorage.getItem(storageKey);
const state = $state({
  language: isLanguage(stored) ? stored : browserLanguage(navigator.languages),
});
document.documentElement.lang = state.language;

export const locale = {
  get language(): Language {
    return state.language;
  },
  /** A full tag for Intl: the browser's own variant of the language when it has one. */
  get tag(): string {
    const match = navigator.languages.find(
      (tag) => tag.toLowerCase().split('-')[0] === state.language,
    );
    return match ?? { en: 'en-GB', de: 'de-DE', fr: 'fr-FR' }[state.language];
  },
  set(language: string): void {
    if (!isLanguage(language)) return;
    state.language = language;
    localStorage.setItem(storageKey, language);
    document.documentElement.lang = language;
  },
};

/**
 * The current language's words. Reading through the proxy touches reactive state, so a template
 * that shows `t.x.y` re-renders when the operator switches language.
 */
export const t: Dictionary = new Proxy({} as Dictionary, {
  get: (_target, key) => dictionaries[state.language][key as keyof Dictionary],
});

/** The current language's privacy words and number style, for the pure functions in lib/privacy. */
export const speech = {
  get words() {
    return dictionaries[state.language].privacy;
  },
  get tag() {
    return locale.tag;
  },
};
