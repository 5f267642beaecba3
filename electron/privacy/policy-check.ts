import { minimumThreshold, type RefusalReason } from '../../federated/protocol/privacy-policy.ts';
import type { PrivacyPolicy } from '../api/contract/privacy.ts';

/*
 * The bakery's policy against a round, in two stages. Settings: what the round's settings say,
 * checked before this bakery's first message for the round (and again before each later one,
 * so settings changed mid-round are caught). Roster: n and t from the signed roster this
 * bakery verified, checked before anything derived from its data leaves.
 */

export type RoundFacts = {
  mode: 'plain' | 'secure';
  noiseMultiplier: number;
  /** The coordinator's own minimum; only a promise, used for plain rounds that have no roster. */
  minShops: number;
};

/**
 * @param yearEpsilon epsilon over the last 365 days if this bakery takes part (null: unbounded)
 */
export function settingsRefusals(
  policy: PrivacyPolicy,
  round: RoundFacts,
  yearEpsilon: number | null,
): RefusalReason[] {
  const reasons: RefusalReason[] = [];
  if (round.mode === 'plain') {
    if (!policy.allowPlainRounds) reasons.push({ code: 'not-masked' });
    else if (round.minShops < policy.minShops)
      reasons.push({ code: 'too-few-shops', shops: round.minShops, minimum: policy.minShops });
  } else if (round.noiseMultiplier < policy.minNoiseMultiplier) {
    reasons.push({
      code: 'noise-too-low',
      noiseMultiplier: round.noiseMultiplier,
      minimum: policy.minNoiseMultiplier,
    });
  }
  // Whatever the caller counted, a round without noise leaves no bound at all.
  const noiseless = round.mode === 'plain' || !(round.noiseMultiplier > 0);
  const epsilon = noiseless ? null : yearEpsilon;
  const over = policy.epsilonLimit !== null && (epsilon === null || epsilon > policy.epsilonLimit);
  // A round without noise already refused for that needs no second reason saying the same.
  if (over && !(noiseless && reasons.length > 0))
    reasons.push({ code: 'epsilon-limit', epsilon, limit: policy.epsilonLimit! });
  return reasons;
}

export type RosterFacts = {
  /** Shops in the roster this bakery verified (every advertisement signed by its identity). */
  rosterSize: number;
  /**
   * The fewest uploads that must survive (and, once the consistency check exists, sign the
   * survivor set) for any sum to be published: counted over the whole roster on every graph.
   */
  threshold: number;
};

export function rosterRefusals(policy: PrivacyPolicy, roster: RosterFacts): RefusalReason[] {
  const reasons: RefusalReason[] = [];
  const shops = roster.rosterSize;
  if (shops < policy.minShops)
    reasons.push({ code: 'too-few-shops', shops, minimum: policy.minShops });
  const minimum = minimumThreshold(shops);
  if (roster.threshold < minimum)
    reasons.push({ code: 'threshold-too-low', threshold: roster.threshold, shops, minimum });
  return reasons;
}
