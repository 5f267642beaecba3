import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  privacyWords,
  refusalReasonWords,
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
  rosterSize: fc.option(fc.integer({ min: 2, max: 255 }), { nil: null }),
  summed: fc.option(fc.integer({ min: 1, max: 255 }), { nil: null }),
  released: fc.boolean(),
});

const claimsMasked = /only the sum .*no single bakery's update could be read/;
const claimsNoise = /with noise/i;

describe('dashboard round privacy sentence', () => {
  it('never calls a plain round masked nor a noiseless one noised; says what a released noised sum was', () => {
    fc.assert(
      fc.property(roundFacts, fc.boolean(), (facts, running) => {
        // The view reports the noise the aggregate really carried: none in a plain round.
        const privacy: RoundPrivacy = {
          ...facts,
          noiseMultiplier: facts.mode === 'plain' ? 0 : facts.noiseMultiplier,
        };
        const sentence = roundPrivacySentence(privacy, running);
        if (privacy.mode === 'plain') {
          expect(sentence).not.toMatch(/only the sum|no single bakery|is masked/);
          expect(sentence).toMatch(/^Plain round/);
          expect(sentence).not.toMatch(claimsNoise);
          if (privacy.released)
            expect(sentence).toMatch(/read each of .* unmasked and without noise/);
        }
        if (privacy.noiseMultiplier === 0) expect(sentence).not.toMatch(claimsNoise);
        if (privacy.mode === 'secure' && privacy.released) {
          expect(sentence).toMatch(claimsMasked);
          if (privacy.noiseMultiplier > 0)
            expect(sentence).toContain(`with noise (noise multiplier ${privacy.noiseMultiplier})`);
          else expect(sentence).toMatch(/without noise/);
          if (privacy.summed !== null) expect(sentence).toContain(`sum of ${privacy.summed} baker`);
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
      rosterSize: 14,
      summed: 14,
      released: true,
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
});
