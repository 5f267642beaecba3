import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { defaultPrivacyPolicy } from '../../../electron/privacy/policy.ts';
import { discreteEpsilon } from '../../../federated/privacy/discrete-accountant.ts';
import { planContribution, roundPrivacy } from '../../../federated/privacy/plan.ts';
import { defaultRoundSettings, minimumThreshold } from '../../../federated/protocol/index.ts';
import { defaultCoordinatorSettings } from '../../../coordinator/store/settings.ts';

/**
 * README.md and docs/privacy.md against what the product does: their sentences about masking
 * and noise hold for the defaults, their tables of defaults are the defaults, and the honest
 * numbers are the accountant's.
 */
const read = (path: string) => readFileSync(new URL(`../../../${path}`, import.meta.url), 'utf8');
const readme = read('README.md');
const privacyDoc = read('docs/privacy.md');

/** The prose of a page (no code, tables or headings), sentence by sentence. */
const sentences = (text: string) =>
  text
    .replace(/```[\s\S]*?```/g, '')
    .split('\n')
    .filter((line) => !/^\s*[|#]/.test(line))
    .join(' ')
    .replace(/\s+/g, ' ')
    .split(/(?<=[.!?])\s/);

/** The words that promise masking or noise of what leaves a bakery. */
const promise = /masked|noised|securely aggregated|secure aggregation|with noise/i;

/** Epsilon of `rounds` rounds at noise z with n bakeries, as `breadcast privacy` computes it. */
function epsilon(z: number, n: number, rounds: number): number {
  const plan = planContribution(
    {
      clipNorm: 1,
      noiseMultiplier: z,
      weighting: 'equal',
      maxSampleWeight: 1,
      metrics: false,
      adaptiveClip: null,
    },
    {
      parameterCount: 2000,
      rosterSize: n,
      threshold: minimumThreshold(n),
      colluders: Math.floor(n / 3),
      modulusBits: 32,
    },
  );
  return discreteEpsilon({ round: roundPrivacy(plan), rounds, delta: 1e-5 }).epsilon;
}

/** A shown figure matches when it is the value rounded to the digits it shows. */
function expectShown(shown: string, value: number): void {
  const digits = shown.includes('.') ? shown.split('.')[1]!.length : 0;
  expect(Number(shown), `${shown} shown for ${value}`).toBeCloseTo(
    value,
    digits === 0 ? 0 : digits,
  );
  if (digits === 0) expect(Math.abs(Number(shown) - value)).toBeLessThanOrEqual(0.5);
}

describe('README says what a bakery sends by default, and it is true', () => {
  it('promises masking and noise only for what the defaults really do', () => {
    const promising = sentences(readme).filter((s) => promise.test(s));
    expect(promising.length).toBeGreaterThan(0);
    for (const sentence of promising) expect(sentence).toMatch(/by default|only in rounds/);
    // The defaults the sentence describes: a coordinator's rounds and a bakery's policy.
    expect(defaultRoundSettings.mode).toBe('secure');
    expect(defaultRoundSettings.noiseMultiplier).toBeGreaterThan(0);
    expect(defaultPrivacyPolicy.allowPlainRounds).toBe(false);
    expect(defaultPrivacyPolicy.minNoiseMultiplier).toBeGreaterThan(0);
    expect(defaultPrivacyPolicy.epsilonLimit).not.toBeNull();
    const words = ['zero', 'one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight'];
    const among = /among at least (\w+) bakeries/.exec(readme.replace(/\s+/g, ' '));
    expect(among, 'README names the fewest bakeries').not.toBeNull();
    expect(words.indexOf(among![1]!)).toBe(defaultPrivacyPolicy.minShops);
  });
});

describe('docs/privacy.md against the product', () => {
  it('its table of the bakery policy’s defaults is the default policy', () => {
    const row = (rule: RegExp) => privacyDoc.split('\n').find((line) => rule.test(line)) ?? '';
    expect(row(/^\| minimum noise multiplier/)).toContain(
      `| ${defaultPrivacyPolicy.minNoiseMultiplier} (the consortium default)`,
    );
    expect(defaultPrivacyPolicy.minNoiseMultiplier).toBe(defaultRoundSettings.noiseMultiplier);
    expect(row(/^\| epsilon of this bakery/)).toContain(
      `| at most ${defaultPrivacyPolicy.epsilonLimit} |`,
    );
    expect(row(/^\| minimum number of bakeries/)).toContain(`| ${defaultPrivacyPolicy.minShops} |`);
  });

  it('states the defaults the coordinator really starts with', () => {
    const honest = privacyDoc.slice(privacyDoc.indexOf('## Honest numbers'));
    const { round, privacy } = defaultCoordinatorSettings;
    expect(round.mode).toBe('secure');
    expect(honest).toContain(`noise multiplier z = ${round.noiseMultiplier}`);
    expect(honest).toContain(`clip norm C = ${round.clipNorm}`);
    expect(privacy.delta).toBe(1e-5);
    expect(honest).toContain('δ = 1e-5');
    expect(round.secaggThreshold).toBeNull(); // the threshold comes from the shops: ⌊2n/3⌋ + 1
  });

  it('its honest numbers for 20, 100 and 1,000 bakeries are the accountant’s', () => {
    const z = defaultRoundSettings.noiseMultiplier;
    const rows = privacyDoc
      .split('\n')
      .filter((line) => /^\| (20|100|1,000) \|/.test(line))
      .map((line) =>
        line
          .split('|')
          .slice(1, -1)
          .map((cell) => cell.trim()),
      );
    expect(rows.map((r) => r[0])).toEqual(['20', '100', '1,000']);
    // The noise on the average of n updates when all upload, in units of C, with shares sized
    // for the t − c honest survivors: z·√(n/(t − c))/n.
    const meanNoise = (zz: number, n: number) =>
      (zz * Math.sqrt(n / (minimumThreshold(n) - Math.floor(n / 3)))) / n;
    for (const [bakeries, tc, perRound, perYear, noise, zSame, same] of rows) {
      const n = Number(bakeries!.replace(',', ''));
      expect(tc).toBe(`${minimumThreshold(n)} / ${Math.floor(n / 3)}`);
      expectShown(perRound!, epsilon(z, n, 1));
      expectShown(perYear!, epsilon(z, n, 365));
      expectShown(noise!.replace('·C', ''), meanNoise(z, n));
      const zEqual = (z * meanNoise(1, 20)) / meanNoise(1, n);
      expectShown(zSame!, zEqual);
      const [sameRound, sameYear] = same!.split(' / ');
      expectShown(sameRound!, epsilon(zEqual, n, 1));
      expectShown(sameYear!, epsilon(zEqual, n, 365));
    }
  });
});
