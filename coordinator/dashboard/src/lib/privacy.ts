import type { PrivacySummary } from '../../../../federated/protocol/operator-views.ts';

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
    return {
      level: 'very-weak',
      text: `No formal guarantee: ${summary.roundsWithoutNoise} published ${summary.roundsWithoutNoise === 1 ? 'round' : 'rounds'} added no noise (plain aggregation, or a noise multiplier of 0), so epsilon is unbounded. Updates are clipped, but the published models may reveal hints about one shop's sales. For a bound, use secure aggregation with a noise multiplier above 0 in Settings.`,
    };
  }
  if (!summary.available && summary.roundsCounted > 0) {
    return {
      level: 'none',
      text: `${summary.roundsCounted} noisy rounds were published, but this coordinator runs without its privacy accountant, so it cannot say how much budget they spent.`,
    };
  }
  if (!summary.available || summary.epsilonTotal === null) {
    return {
      level: 'none',
      text: 'No privacy budget spent yet: no round has been published.',
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
