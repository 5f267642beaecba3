import { describe, expect, it } from 'vitest';
import { de } from '../../../renderer/src/i18n/de.ts';
import { en } from '../../../renderer/src/i18n/en.ts';
import { fr } from '../../../renderer/src/i18n/fr.ts';

type Tree = { [key: string]: unknown };

/** Every leaf as "path: kind(arity)", so a translation with a missing key or argument shows up. */
function shape(tree: Tree, prefix = ''): string[] {
  return Object.entries(tree).flatMap(([key, value]) => {
    const path = prefix ? `${prefix}.${key}` : key;
    if (typeof value === 'function') return [`${path}: fn(${value.length})`];
    if (Array.isArray(value)) return [`${path}: list(${value.length})`];
    if (value && typeof value === 'object') return shape(value as Tree, path);
    return [`${path}: text`];
  });
}

describe('translations', () => {
  it.each([
    ['de', de],
    ['fr', fr],
  ])('%s has exactly the English keys, with the same arguments', (_name, dictionary) => {
    expect(shape(dictionary)).toEqual(shape(en));
  });

  it.each([
    ['de', de],
    ['fr', fr],
  ])('%s is really translated, not copied', (_name, dictionary) => {
    const texts = (tree: Tree): string[] =>
      Object.values(tree).flatMap((v) =>
        typeof v === 'string'
          ? [v]
          : v && typeof v === 'object' && !Array.isArray(v)
            ? texts(v as Tree)
            : [],
      );
    const english = texts(en);
    const translated = texts(dictionary);
    const same = translated.filter((text, i) => text === english[i]).length;
    // Brand names and a few loanwords (Import, Status, Version) may match; most must differ.
    expect(same / english.length).toBeLessThan(0.12);
  });

  it('fills in the values it is given', () => {
    expect(en.today.summary(3, 30)).toBe('3 of 30 products entered');
    expect(de.today.summary(3, 30)).toBe('3 von 30 Produkten erfasst');
    expect(fr.products.days(1)).toBe('1 jour');
  });

  it('words a round’s phase in the language, and keeps a phase it does not know', () => {
    expect(en.consortium.roundEnded(4, 'published')).toBe('Last round: 4 (finished).');
    expect(de.consortium.roundEnded(4, 'published')).toBe('Letzte Runde: 4 (abgeschlossen).');
    expect(fr.consortium.roundText(5, 'collect', null)).toBe(
      'Tour 5 en cours (collecte des mises à jour).',
    );
    expect(de.consortium.roundEnded(6, 'resharing')).toBe('Letzte Runde: 6 (resharing).');
  });
});
