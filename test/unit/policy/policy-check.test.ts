import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { PrivacyPolicy } from '../../../electron/api/contract/privacy.ts';
import { epsilonOfRounds } from '../../../electron/privacy/budget.ts';
import { rosterRefusals, settingsRefusals } from '../../../electron/privacy/policy-check.ts';
import { defaultPrivacyPolicy } from '../../../electron/privacy/policy.ts';
import { minimumThreshold } from '../../../federated/protocol/privacy-policy.ts';
import { budgetEpsilon, emptyBudget, spendRound } from '../../../federated/privacy/accountant.ts';

const policyArb: fc.Arbitrary<PrivacyPolicy> = fc.record({
  allowPlainRounds: fc.boolean(),
  minNoiseMultiplier: fc.double({ min: 0, max: 5, noNaN: true }),
  minShops: fc.integer({ min: 2, max: 50 }),
  epsilonLimit: fc.option(fc.double({ min: 0.1, max: 1000, noNaN: true }), { nil: null }),
});
const roundArb = fc.record({
  mode: fc.constantFrom('plain' as const, 'secure' as const),
  noiseMultiplier: fc.double({ min: 0, max: 5, noNaN: true }),
  minShops: fc.integer({ min: 1, max: 60 }),
});
const epsilonArb = fc.option(fc.double({ min: 0, max: 2000, noNaN: true }), { nil: null });
const codes = (reasons: { code: string }[]) => reasons.map((r) => r.code);

describe('the threshold rule', () => {
  it('is more than two thirds: two disjoint groups can never both reach it, and it never exceeds n', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 100_000 }), (n) => {
        const t = minimumThreshold(n);
        expect(t).toBeGreaterThan((2 * n) / 3);
        expect(t).toBeLessThanOrEqual(n);
        expect(t - 1).toBeLessThanOrEqual((2 * n) / 3);
        expect(2 * t).toBeGreaterThan(n);
      }),
    );
    expect([3, 4, 5, 10, 14, 20].map(minimumThreshold)).toEqual([3, 3, 4, 7, 10, 14]);
  });
});

describe('settings stage', () => {
  it('refuses a plain round exactly when the policy does not allow plain rounds', () => {
    fc.assert(
      fc.property(policyArb, roundArb, epsilonArb, (policy, round, epsilon) => {
        const reasons = codes(settingsRefusals(policy, { ...round, mode: 'plain' }, epsilon));
        expect(reasons.includes('not-masked')).toBe(!policy.allowPlainRounds);
        // A plain round carries no noise, so it is never accepted under an epsilon limit.
        if (policy.epsilonLimit !== null) expect(reasons.length).toBeGreaterThan(0);
      }),
      { numRuns: 500, seed: 12 },
    );
  });

  it('refuses a secure round with less noise than the minimum, and accepts one that meets every rule', () => {
    fc.assert(
      fc.property(policyArb, roundArb, epsilonArb, (policy, round, epsilon) => {
        const secure = { ...round, mode: 'secure' as const };
        const reasons = settingsRefusals(policy, secure, epsilon);
        expect(codes(reasons).includes('noise-too-low')).toBe(
          secure.noiseMultiplier < policy.minNoiseMultiplier,
        );
        const withinLimit =
          policy.epsilonLimit === null || (epsilon !== null && epsilon <= policy.epsilonLimit);
        if (secure.noiseMultiplier >= policy.minNoiseMultiplier && withinLimit)
          expect(reasons).toEqual([]);
        if (!withinLimit) expect(reasons.length).toBeGreaterThan(0);
      }),
      { numRuns: 500, seed: 13 },
    );
  });

  it('a stricter policy refuses at least what a looser one refuses', () => {
    fc.assert(
      fc.property(policyArb, policyArb, roundArb, epsilonArb, (a, b, round, epsilon) => {
        const strict: PrivacyPolicy = {
          allowPlainRounds: a.allowPlainRounds && b.allowPlainRounds,
          minNoiseMultiplier: Math.max(a.minNoiseMultiplier, b.minNoiseMultiplier),
          minShops: Math.max(a.minShops, b.minShops),
          epsilonLimit:
            a.epsilonLimit === null
              ? b.epsilonLimit
              : b.epsilonLimit === null
                ? a.epsilonLimit
                : Math.min(a.epsilonLimit, b.epsilonLimit),
        };
        if (settingsRefusals(a, round, epsilon).length > 0)
          expect(settingsRefusals(strict, round, epsilon).length).toBeGreaterThan(0);
      }),
      { numRuns: 500, seed: 14 },
    );
  });

  it('the defaults refuse the rounds a fresh coordinator ran before: plain, noiseless, or with too little noise', () => {
    const year = epsilonOfRounds([{ noiseMultiplier: 1.1, tau: 0, dimension: 1 }]);
    expect(
      codes(
        settingsRefusals(
          defaultPrivacyPolicy,
          { mode: 'plain', noiseMultiplier: 0, minShops: 2 },
          null,
        ),
      ),
    ).toEqual(['not-masked']);
    expect(
      codes(
        settingsRefusals(
          defaultPrivacyPolicy,
          { mode: 'secure', noiseMultiplier: 0, minShops: 2 },
          null,
        ),
      ),
    ).toEqual(['noise-too-low']);
    expect(
      settingsRefusals(
        defaultPrivacyPolicy,
        { mode: 'secure', noiseMultiplier: 1.1, minShops: 2 },
        year,
      ),
    ).toEqual([]);
  });
});

describe('roster stage', () => {
  it('refuses t below floor(2n/3)+1 of the roster and rosters smaller than the minimum, whatever the coordinator states', () => {
    fc.assert(
      fc.property(
        policyArb,
        fc.integer({ min: 2, max: 300 }),
        fc.integer({ min: 1, max: 300 }),
        (policy, rosterSize, threshold) => {
          const reasons = rosterRefusals(policy, { rosterSize, threshold });
          expect(codes(reasons).includes('threshold-too-low')).toBe(
            threshold <= (2 * rosterSize) / 3,
          );
          expect(codes(reasons).includes('too-few-shops')).toBe(rosterSize < policy.minShops);
        },
      ),
      { numRuns: 500, seed: 15 },
    );
    expect(rosterRefusals(defaultPrivacyPolicy, { rosterSize: 14, threshold: 9 })).toEqual([
      { code: 'threshold-too-low', threshold: 9, shops: 14, minimum: 10 },
    ]);
  });
});

describe('the bakery budget', () => {
  it('is the discrete accountant’s epsilon: the continuous Gaussian’s at τ = 0, more with τ > 0, unbounded once any round had no noise', () => {
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: 0.3, max: 5, noNaN: true }), { maxLength: 20 }),
        fc.double({ min: 1e-4, max: 1e-2, noNaN: true }),
        (zs, tau) => {
          const expected = budgetEpsilon(
            zs.reduce((b, noiseMultiplier) => spendRound(b, { noiseMultiplier }), emptyBudget()),
            1e-5,
          );
          const rounds = zs.map((noiseMultiplier) => ({ noiseMultiplier, tau: 0, dimension: 200 }));
          expect(epsilonOfRounds(rounds)).toBeCloseTo(expected, 9);
          if (zs.length > 0)
            expect(epsilonOfRounds(rounds.map((r) => ({ ...r, tau })))!).toBeGreaterThan(expected);
          const noiseless = { noiseMultiplier: 0, tau: 0, dimension: 200 };
          expect(epsilonOfRounds([...rounds, noiseless])).toBeNull();
          expect(epsilonOfRounds([noiseless, ...rounds])).toBeNull();
        },
      ),
      { numRuns: 50, seed: 16 },
    );
  });
});
