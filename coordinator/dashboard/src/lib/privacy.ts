import type {
  PrivacySummary,
  RoundPrivacy,
} from '../../../../federated/protocol/operator-views.ts';
import type { RefusalReason } from '../../../../federated/protocol/privacy-policy.ts';

export type PrivacyWords = {
  level: 'none' | 'strong' | 'moderate' | 'weak' | 'very-weak';
  text: string;
};

/**
 * Epsilon in plain words. With a handful of shops and a round every night, epsilon climbs fast;
 * an operator must not read a large number as "private", so the words say it straight.
 */
export function privacyWords(summary: PrivacySummary): PrivacyWords {
  if (summary.roundsWithoutNoise > 0) {
    const rounds = summary.roundsWithoutNoise === 1 ? 'round' : 'rounds';
    return {
      level: 'very-weak',
      text: `No formal guarantee: ${summary.roundsWithoutNoise} ${rounds} released an aggregate without noise (a plain round, where the coordinator reads each update, or a noise multiplier of 0), so epsilon is unbounded. The published models may reveal hints about one shop's sales. For a bound, use secure rounds with a noise multiplier above 0 in Settings.`,
    };
  }
  if (!summary.available || summary.epsilonTotal === null) {
    return {
      level: 'none',
      text: 'No privacy budget spent yet: no round has released an aggregate.',
    };
  }
  const e = summary.epsilonTotal;
  const budget =
    summary.budget === null
      ? ' No total budget is set, so rounds never stop for privacy.'
      : summary.exhausted
        ? ` The total budget of ε = ${summary.budget} is used up.`
        : ` ${Math.round((e / summary.budget) * 100)} % of the total budget of ε = ${summary.budget} is spent.`;
  if (e <= 1)
    return {
      level: 'strong',
      text: `Strong: ε = ${e.toFixed(2)} after ${summary.roundsCounted} rounds. The models reveal almost nothing about any one shop.${budget}`,
    };
  if (e <= 4)
    return {
      level: 'moderate',
      text: `Moderate: ε = ${e.toFixed(2)} after ${summary.roundsCounted} rounds. A curious observer of the models learns little about one shop, but not nothing.${budget}`,
    };
  if (e <= 10)
    return {
      level: 'weak',
      text: `Weak: ε = ${e.toFixed(1)} after ${summary.roundsCounted} rounds. With few shops and nightly rounds the guarantee has worn thin; the models may reflect patterns of individual shops.${budget}`,
    };
  return {
    level: 'very-weak',
    text: `Very weak: ε = ${e.toFixed(0)} after ${summary.roundsCounted} rounds. At this level the formal guarantee means little — secure aggregation still hides each upload from the coordinator, but the published models could reveal hints about one shop's sales. Raise the noise, round less often, or set a budget.${budget}`,
  };
}

const bakeries = (n: number | null): string =>
  n === null ? 'the surviving bakeries’' : n === 1 ? '1 bakery’s' : `${n} bakeries’`;

/**
 * What the coordinator could see of one round, in one sentence, from the settings the round ran
 * with and the coordinator's own records: a plain round is never called masked, a round without
 * noise never called noised.
 */
export function roundPrivacySentence(privacy: RoundPrivacy, running: boolean): string {
  if (privacy.mode === 'plain') {
    if (!privacy.released)
      return running
        ? 'Plain round: each bakery that uploads sends its clipped update unmasked and without noise, and the coordinator reads it.'
        : 'Plain round: no update reached the coordinator.';
    return `Plain round: the coordinator read each of ${bakeries(privacy.summed)} clipped updates itself, unmasked and without noise.`;
  }
  const noise =
    privacy.noiseMultiplier > 0
      ? `with noise (noise multiplier ${privacy.noiseMultiplier})`
      : 'without noise, so the sum itself carries no formal privacy guarantee';
  if (!privacy.released)
    return running
      ? `Secure round: each bakery's update is masked, ${noise}; the coordinator has seen no sum yet.`
      : 'Secure round: it ended before any sum was unmasked, so the coordinator saw no update and no sum.';
  const threshold =
    privacy.threshold !== null ? ` (at least ${privacy.threshold} needed to unmask it)` : '';
  return `The coordinator saw only the sum of ${bakeries(privacy.summed)} updates${threshold}, ${noise}; no single bakery's update could be read.`;
}

/** Why a bakery skipped a round, from the codes and numbers it reported. */
export function refusalReasonWords(reason: RefusalReason): string {
  switch (reason.code) {
    case 'not-masked':
      return 'it was not masked (plain round)';
    case 'noise-too-low':
      return `noise ${reason.noiseMultiplier} is below its minimum of ${reason.minimum}`;
    case 'too-few-shops':
      return `${reason.shops} bakeries in the round, it wants at least ${reason.minimum}`;
    case 'threshold-too-low':
      return `threshold ${reason.threshold} of ${reason.shops} bakeries, it needs at least ${reason.minimum}`;
    case 'epsilon-limit':
      return reason.epsilon === null
        ? `the round has no noise, so its privacy loss is unbounded (its limit: ε ${reason.limit} a year)`
        : `it would bring its ε over the last year to ${reason.epsilon.toFixed(1)}, above its limit of ${reason.limit}`;
  }
}

/** Why the dashboard shows no accuracy figure: shops no longer send theirs in the clear. */
export const noFiguresSent =
  'Shops send no accuracy figures: one shop’s error would show the coordinator how it sells. Only a consortium total from inside a masked sum may come here, and the rounds do not carry one yet.';
