import { describe, expect, it } from 'vitest';
import type { RoundStory, ShopPrivacy } from '../../../electron/api/contract/privacy.ts';
import { defaultPrivacyPolicy } from '../../../electron/privacy/policy.ts';
import { privacyDe } from '../../../renderer/src/i18n/privacy/de.ts';
import { privacyEn } from '../../../renderer/src/i18n/privacy/en.ts';
import { privacyFr } from '../../../renderer/src/i18n/privacy/fr.ts';
import {
  historySentences,
  policySentences,
  roundSentences,
  type Formats,
} from '../../../renderer/src/lib/privacy-words.ts';

const f: Formats = { number: (v, d) => String(Number(v.toFixed(d))), date: (iso) => iso };

/**
 * In each language, the words that claim masking (the coordinator saw only a sum) and noise.
 * A plain or noiseless round described with them would be a false sentence.
 */
const claims = {
  en: {
    words: privacyEn,
    masked: /only the sum|only inside a sum|masked/i,
    noised: /with noise|noised/i,
  },
  de: {
    words: privacyDe,
    masked: /nur die Summe|nur als Teil|maskiert/i,
    noised: /mit Rauschen|verrauscht/i,
  },
  fr: {
    words: privacyFr,
    masked: /que la somme|que dans une somme|masquée/i,
    noised: /avec du bruit|bruitée/i,
  },
};

const plain: RoundStory = { outcome: 'plain', clipNorm: 1 };
const secure = (
  noiseMultiplier: number,
  summed: number | null,
): Extract<RoundStory, { outcome: 'masked' }> => ({
  outcome: 'masked',
  noiseMultiplier,
  clipNorm: 1,
  threshold: 10,
  rosterSize: 14,
  colluders: 4,
  summed,
});

describe.each(Object.entries(claims))('privacy sentences in %s', (_language, c) => {
  const say = (story: RoundStory) => roundSentences(c.words, 12, story, f).join(' ');

  it('never calls a plain round masked or noised', () => {
    expect(say(plain)).not.toMatch(c.masked);
    expect(say(plain)).not.toMatch(c.noised);
  });

  it('calls a masked noiseless round masked, never noised', () => {
    for (const summed of [14, null]) {
      expect(say(secure(0, summed))).toMatch(c.masked);
      expect(say(secure(0, summed))).not.toMatch(c.noised);
    }
  });

  it('calls a masked noised round both, with the number of bakeries summed', () => {
    expect(say(secure(1.1, 14))).toMatch(c.masked);
    expect(say(secure(1.1, 14))).toMatch(c.noised);
    expect(say(secure(1.1, 14))).toContain('14');
    expect(say(secure(1.1, null))).toMatch(c.noised);
  });

  it('names the colluders the bakery checked the round against, beside n and T, and only when recorded', () => {
    const text = say(secure(1.1, 14));
    for (const figure of ['4', '14', '10']) expect(text).toContain(figure);
    expect(roundSentences(c.words, 12, secure(1.1, 14), f)).toHaveLength(2);
    const before = { ...secure(1.1, 14), colluders: null };
    expect(roundSentences(c.words, 12, before, f)).toHaveLength(1);
    expect(roundSentences(c.words, 12, { ...secure(0, null), colluders: 6 }, f)[1]).toBe(
      c.words.round.colluders(6, 14, 10),
    );
  });

  it('a skipped round says why, and claims nothing was masked or noised', () => {
    const text = say({ outcome: 'skipped', stage: 'settings', reasons: [{ code: 'not-masked' }] });
    expect(text).toContain('12');
    expect(text).not.toMatch(c.noised);
  });

  it('the history of a bakery that once sent a plain or noiseless update claims no guarantee', () => {
    const unbounded: ShopPrivacy = {
      delta: 1e-5,
      rounds: 3,
      epsilon: null,
      unboundedSince: '2026-11-02T01:00:00Z',
      plainUpdates: 1,
      noiselessUpdates: 0,
      year: { rounds: 3, epsilon: null },
    };
    const text = historySentences(c.words, unbounded, f).join(' ');
    expect(text).not.toMatch(/ε = /);
    expect(text).not.toMatch(c.noised);
    const noised = historySentences(c.words, { ...unbounded, epsilon: 12.3, plainUpdates: 0 }, f);
    expect(noised.join(' ')).toContain('12.3');
  });

  it('the policy sentence says plain rounds are readable only when the policy allows them', () => {
    const strict = policySentences(c.words, defaultPrivacyPolicy, f).join(' ');
    const loose = policySentences(c.words, { ...defaultPrivacyPolicy, allowPlainRounds: true }, f);
    expect(strict).not.toEqual(loose.join(' '));
    expect(strict).toContain(String(defaultPrivacyPolicy.minShops));
  });
});

describe('the issue’s sentences, in English', () => {
  it('reads as promised', () => {
    expect(roundSentences(privacyEn, 12, secure(1.1, 14), f)).toEqual([
      'The coordinator saw only the sum of 14 bakeries’ updates, with noise; no single bakery’s update could be read.',
      'This bakery checked the round: it stays safe even if up to 4 of the 14 bakeries work with the coordinator, and the sum is opened only when at least 10 of them take part.',
    ]);
    expect(
      roundSentences(
        privacyEn,
        12,
        { outcome: 'skipped', stage: 'settings', reasons: [{ code: 'not-masked' }] },
        f,
      ),
    ).toEqual(['Round 12 was skipped: it was not masked.']);
  });
});
