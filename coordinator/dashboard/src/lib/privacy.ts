import type {
  PrivacySummary,
  RoundPrivacy,
} from '../../../../federated/protocol/operator-views.ts';
import type { RefusalReason } from '../../../../federated/protocol/privacy-policy.ts';
import { privacyEn, type PrivacyWords } from '../i18n/privacy/en.ts';

/**
 * The words of one language and how it writes numbers: the functions below are pure, so tests
 * can hold every language to the same facts.
 */
export type Speech = { words: PrivacyWords; tag: string };
export const english: Speech = { words: privacyEn, tag: 'en-GB' };

/** Exactly `digits` decimals (like toFixed), or up to `digits` when `trim`, in the language's style. */
export function figure(speech: Speech, value: number, digits: number, trim = false): string {
  return value.toLocaleString(speech.tag, {
    minimumFractionDigits: trim ? 0 : digits,
    maximumFractionDigits: digits,
    useGrouping: false,
  });
}

export type PrivacyLevel = 'none' | 'strong' | 'moderate' | 'weak' | 'very-weak';

/**
 * Epsilon in plain words. With a handful of shops and a round every night, epsilon climbs fast;
 * an operator must not read a large number as "private", so the words say it straight.
 */
export function privacyWords(
  summary: PrivacySummary,
  speech: Speech = english,
): { level: PrivacyLevel; text: string } {
  const w = speech.words.budget;
  if (summary.roundsWithoutNoise > 0)
    return { level: 'very-weak', text: w.noGuarantee(summary.roundsWithoutNoise) };
  if (!summary.available || summary.epsilonTotal === null)
    return { level: 'none', text: w.nothingYet };
  const e = summary.epsilonTotal;
  const budget =
    summary.budget === null
      ? w.noLimit
      : summary.exhausted
        ? w.usedUp(summary.budget)
        : w.share(Math.round((e / summary.budget) * 100), summary.budget);
  const rounds = summary.roundsCounted;
  if (e <= 1) return { level: 'strong', text: w.strong(figure(speech, e, 2), rounds) + budget };
  if (e <= 4) return { level: 'moderate', text: w.moderate(figure(speech, e, 2), rounds) + budget };
  if (e <= 10) return { level: 'weak', text: w.weak(figure(speech, e, 1), rounds) + budget };
  return { level: 'very-weak', text: w.veryWeak(figure(speech, e, 0), rounds) + budget };
}

/**
 * What the coordinator could see of one round, in one sentence, from the settings the round ran
 * with and the coordinator's own records: a plain round is never called masked, a round without
 * noise never called noised.
 */
export function roundPrivacySentence(
  privacy: RoundPrivacy,
  running: boolean,
  speech: Speech = english,
): string {
  const w = speech.words.round;
  if (privacy.mode === 'plain') {
    if (privacy.released) return w.plainRead(privacy.summed);
    return running ? w.plainRunning : w.plainNothing;
  }
  const noise =
    privacy.noiseMultiplier > 0
      ? w.withNoise(figure(speech, privacy.noiseMultiplier, 6, true))
      : w.withoutNoise;
  if (!privacy.released) return running ? w.secureRunning(noise) : w.secureNothing;
  const threshold = privacy.threshold !== null ? w.atLeast(privacy.threshold) : '';
  return w.secureSum(privacy.summed, threshold, noise);
}

/** What the round's aggregate cost, as the budget charges it. */
export function roundEpsilonWords(
  epsilon: number | null,
  released: boolean,
  speech: Speech = english,
): string {
  const w = speech.words.round;
  if (epsilon !== null) return w.epsilon(figure(speech, epsilon, 2, true));
  return released ? w.unbounded : w.nothingReleased;
}

/** What a secure round was built to withstand, from the configuration its signed roster gave. */
export function roundConfigurationSentence(
  config: NonNullable<RoundPrivacy['configuration']>,
  speech: Speech = english,
): string {
  const w = speech.words.round;
  const split = config.graph === 'complete' ? w.splitAll : w.splitNeighbours(config.neighbours);
  return w.configuration(
    config.rosterSize,
    config.colluders,
    config.minSurvivors,
    split,
    config.threshold,
  );
}

/** Why a bakery skipped a round, from the codes and numbers it reported. */
export function refusalReasonWords(reason: RefusalReason, speech: Speech = english): string {
  const w = speech.words.refusal;
  switch (reason.code) {
    case 'not-masked':
      return w.notMasked;
    case 'noise-too-low':
      return w.noiseTooLow(reason.noiseMultiplier, reason.minimum);
    case 'too-few-shops':
      return w.tooFewShops(reason.shops, reason.minimum);
    case 'threshold-too-low':
      return w.thresholdTooLow(reason.threshold, reason.shops, reason.minimum);
    case 'epsilon-limit':
      return reason.epsilon === null
        ? w.epsilonUnbounded(reason.limit)
        : w.epsilonOver(figure(speech, reason.epsilon, 1), reason.limit);
  }
}
