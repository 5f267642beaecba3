import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { de } from '../../../coordinator/dashboard/src/i18n/de.ts';
import { en } from '../../../coordinator/dashboard/src/i18n/en.ts';
import { fr } from '../../../coordinator/dashboard/src/i18n/fr.ts';
import {
  english,
  privacyWords,
  refusalReasonWords,
  roundConfigurationSentence,
  roundPrivacySentence,
} from '../../../coordinator/dashboard/src/lib/privacy.ts';
import type { PrivacySummary, RoundPrivacy } from '../../../federated/protocol/operator-views.ts';

/**
 * The dashboard's privacy words for a round and for the consortium's budget, checked against
 * every combination of what a round can have been: a plain round is never called masked, a round
 * without noise never called noised, and a noised sum is said to be one.
 */
const roundFacts = fc.record({
  mode: fc.constantFrom<'plain' | 'secure'>('plain', 'secure'),
  noiseMultiplier: fc.constantFrom(0, 0.5, 1.1, 3),
  clipNorm: fc.constantFrom(0.125, 1),
  threshold: fc.option(fc.integer({ min: 2, max: 200 }), { nil: null }),
  colluders: fc.option(fc.integer({ min: 0, max: 60 }), { nil: null }),
  rosterSize: fc.option(fc.integer({ min: 2, max: 255 }), { nil: null }),
  summed: fc.option(fc.integer({ min: 1, max: 255 }), { nil: null }),
  released: fc.boolean(),
});

/** Per language: how it says "masked", "only the sum" and "with noise", and how it writes 1.1. */
const languages = {
  en: {
    speech: english,
    masked: /only the sum|no single bakery|is masked/,
    sumOnly: /only the sum .*no single bakery's update could be read/,
    noised: /with noise/i,
    plainRead: /^Plain round: the coordinator read each of .* unmasked and without noise/,
    noiseFigure: (z: string) => `with noise (noise multiplier ${z})`,
    decimal: '.',
  },
  de: {
    speech: { words: de.privacy, tag: 'de-DE' },
    masked: /nur die Summe|kein einzelnes Update|\bmaskiert/,
    sumOnly: /nur die Summe .*kein einzelnes Update einer Bäckerei war lesbar/,
    noised: /mit Rauschen/i,
    plainRead:
      /^Einfache Runde: Der Koordinator hat .* selbst gelesen, unmaskiert und ohne Rauschen/,
    noiseFigure: (z: string) => `mit Rauschen (Rauschfaktor ${z})`,
    decimal: ',',
  },
  fr: {
    speech: { words: fr.privacy, tag: 'fr-FR' },
    masked: /que la somme|aucune mise à jour d’une seule|masquée/,
    sumOnly: /n’a vu que la somme .*aucune mise à jour d’une seule boulangerie n’était lisible/,
    noised: /avec bruit/i,
    plainRead: /^Manche simple : le coordinateur a lu lui-même .* sans masque ni bruit/,
    noiseFigure: (z: string) => `avec bruit (facteur de bruit ${z})`,
    decimal: ',',
  },
};

describe('dashboard round privacy sentence', () => {
  for (const [language, l] of Object.entries(languages))
    it(`${language}: never calls a plain round masked nor a noiseless one noised; says what a released noised sum was`, () => {
      fc.assert(
        fc.property(roundFacts, fc.boolean(), (facts, running) => {
          // The view reports the noise the aggregate really carried: none in a plain round.
          const privacy: RoundPrivacy = {
            ...facts,
            noiseMultiplier: facts.mode === 'plain' ? 0 : facts.noiseMultiplier,
            configuration: null,
          };
          const sentence = roundPrivacySentence(privacy, running, l.speech);
          if (privacy.mode === 'plain') {
            expect(sentence).not.toMatch(l.masked);
            expect(sentence).not.toMatch(l.noised);
            if (privacy.released) expect(sentence).toMatch(l.plainRead);
          }
          if (privacy.noiseMultiplier === 0) expect(sentence).not.toMatch(l.noised);
          if (privacy.mode === 'secure' && privacy.released) {
            expect(sentence).toMatch(l.sumOnly);
            if (privacy.noiseMultiplier > 0)
              expect(sentence).toContain(
                l.noiseFigure(String(privacy.noiseMultiplier).replace('.', l.decimal)),
              );
            if (privacy.summed !== null) expect(sentence).toContain(` ${privacy.summed} `);
          }
        }),
      );
    });

  it('words the round a baker would read', () => {
    const secure: RoundPrivacy = {
      mode: 'secure',
      noiseMultiplier: 1.1,
      clipNorm: 0.125,
      threshold: 10,
      colluders: 4,
      rosterSize: 14,
      summed: 14,
      released: true,
      configuration: null,
    };
    expect(roundPrivacySentence(secure, false)).toBe(
      "The coordinator saw only the sum of 14 bakeries’ updates (at least 10 needed to unmask it), with noise (noise multiplier 1.1); no single bakery's update could be read.",
    );
    expect(
      roundPrivacySentence(
        { ...secure, mode: 'plain', noiseMultiplier: 0, threshold: null, summed: 3 },
        false,
      ),
    ).toBe(
      'Plain round: the coordinator read each of 3 bakeries’ clipped updates itself, unmasked and without noise.',
    );
    expect(roundPrivacySentence(secure, false, languages.de.speech)).toBe(
      'Der Koordinator sah nur die Summe der Updates von 14 Bäckereien (mindestens 10 zum Entschlüsseln nötig), mit Rauschen (Rauschfaktor 1,1); kein einzelnes Update einer Bäckerei war lesbar.',
    );
    expect(
      roundPrivacySentence(
        { ...secure, mode: 'plain', noiseMultiplier: 0, threshold: null, summed: 3 },
        false,
        languages.de.speech,
      ),
    ).toBe(
      'Einfache Runde: Der Koordinator hat jedes der begrenzten Updates von 3 Bäckereien selbst gelesen, unmaskiert und ohne Rauschen.',
    );
    expect(
      roundPrivacySentence({ ...secure, noiseMultiplier: 0 }, false, languages.fr.speech),
    ).toBe(
      'Le coordinateur n’a vu que la somme des mises à jour de 14 boulangeries (au moins 10 nécessaires pour la démasquer), sans bruit, donc la somme elle-même n’a aucune garantie formelle de confidentialité ; aucune mise à jour d’une seule boulangerie n’était lisible.',
    );
  });

  it('explains every privacy term in every language, none left in English', () => {
    for (const dictionary of [de, fr]) {
      for (const [term, line] of Object.entries(dictionary.privacy.explain)) {
        expect(line.length).toBeGreaterThan(40);
        expect(line).not.toBe(en.privacy.explain[term as keyof typeof en.privacy.explain]);
      }
      expect(Object.keys(dictionary.privacy.explain).sort()).toEqual(
        Object.keys(en.privacy.explain).sort(),
      );
    }
  });

  it('words every refusal reason with its numbers', () => {
    expect(refusalReasonWords({ code: 'not-masked' })).toMatch(/not masked/);
    expect(
      refusalReasonWords({ code: 'threshold-too-low', threshold: 2, shops: 6, minimum: 5 }),
    ).toBe('threshold 2 of 6 bakeries, it needs at least 5');
    expect(refusalReasonWords({ code: 'epsilon-limit', epsilon: null, limit: 250 })).toMatch(
      /no noise.*unbounded/,
    );
  });
});

describe('dashboard privacy budget words', () => {
  const summary: PrivacySummary = {
    available: true,
    epsilonTotal: 4.24,
    epsilonLastRound: 4.24,
    delta: 1e-5,
    budget: null,
    roundsCounted: 1,
    roundsWithoutNoise: 0,
    exhausted: false,
  };

  it('claims no epsilon once any counted round carried no noise', () => {
    const words = privacyWords({
      ...summary,
      available: false,
      epsilonTotal: null,
      roundsCounted: 3,
      roundsWithoutNoise: 1,
    });
    expect(words.level).toBe('very-weak');
    expect(words.text).toMatch(/^No formal guarantee: 1 round released an aggregate without noise/);
    expect(words.text).not.toMatch(/ε =/);
  });

  it('gives epsilon in words when every counted round was noised', () => {
    expect(privacyWords(summary).text).toMatch(/^Weak: ε = 4\.2 after 1 rounds/);
    expect(
      privacyWords({ ...summary, available: false, epsilonTotal: null, roundsCounted: 0 }),
    ).toMatchObject({ level: 'none', text: expect.stringMatching(/No privacy budget spent yet/) });
  });

  it('says what a secure round was built to withstand, on either graph', () => {
    const complete = {
      rosterSize: 14,
      colluders: 4,
      minSurvivors: 10,
      graph: 'complete' as const,
      neighbours: 13,
      threshold: 10,
    };
    expect(roundConfigurationSentence(complete)).toBe(
      'Built for the 14 bakeries of its signed roster and a coordinator colluding with up to 4 of them: at least 10 had to upload and sign the list of survivors, and each bakery split its secrets among all the others, 10 shares needed to rebuild one.',
    );
    expect(
      roundConfigurationSentence({
        ...complete,
        rosterSize: 500,
        colluders: 166,
        minSurvivors: 334,
        graph: 'secagg+',
        neighbours: 254,
        threshold: 170,
      }),
    ).toMatch(
      /split its secrets among its 254 neighbours \(drawn from the roster\), 170 shares needed/,
    );
  });
});
