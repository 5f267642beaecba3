import { z } from 'zod';
import { refusalReason } from '../../../federated/protocol/privacy-policy.ts';
import { method } from './define.ts';

const isoTime = z.string().describe('ISO 8601 timestamp');

/**
 * The bakery's own privacy policy. The app checks every round against it before sending
 * anything for the round; the coordinator never sees it and cannot change it.
 */
export const privacyPolicy = z
  .object({
    /** Plain rounds send this bakery's clipped update unmasked: the coordinator can read it. */
    allowPlainRounds: z.boolean(),
    /** Secure rounds with less noise than this (noise std / clip) are skipped. */
    minNoiseMultiplier: z.number().min(0).max(100),
    /** Fewest bakeries in the signed roster (two could each read the other from the sum). */
    minShops: z.number().int().min(2).max(10_000),
    /** Largest epsilon over the last 365 days, counting the round about to be joined; null: none. */
    epsilonLimit: z.number().positive().max(1_000_000).nullable(),
  })
  .strict();
export type PrivacyPolicy = z.infer<typeof privacyPolicy>;

export const policyView = z.object({
  policy: privacyPolicy,
  defaults: privacyPolicy,
  /** Epsilon this bakery has spent over the last 365 days (null: unbounded, a round without noise). */
  yearEpsilon: z.number().nullable(),
});
export type PolicyView = z.infer<typeof policyView>;

/** What the coordinator could see of this bakery in one round, from the app's own records. */
export const roundStory = z.discriminatedUnion('outcome', [
  z.object({
    outcome: z.literal('skipped'),
    stage: z.enum(['settings', 'roster']),
    reasons: z.array(refusalReason),
  }),
  /** The update left unmasked and without noise. */
  z.object({ outcome: z.literal('plain'), clipNorm: z.number().nullable() }),
  z.object({
    outcome: z.literal('masked'),
    noiseMultiplier: z.number(),
    clipNorm: z.number().nullable(),
    threshold: z.number().int().nullable(),
    rosterSize: z.number().int().nullable(),
    /** c: colluders with the coordinator the round withstands, as this bakery checked it. */
    colluders: z.number().int().nullable(),
    /** Updates in the sum the coordinator asked to unmask; null when this bakery never saw it. */
    summed: z.number().int().nullable(),
  }),
  /** Messages for the round left (round keys, status checks) but no model update. */
  z.object({ outcome: z.literal('no-update') }),
]);
export type RoundStory = z.infer<typeof roundStory>;

export const kindCounts = z.record(z.string(), z.number().int());

export const ledgerRound = z.object({
  roundId: z.number().int(),
  firstAt: isoTime,
  lastAt: isoTime,
  messages: z.number().int(),
  bytes: z.number().int(),
  kinds: kindCounts,
  story: roundStory,
});
export type LedgerRound = z.infer<typeof ledgerRound>;

/** This bakery's privacy budget, from every model update it ever sent. */
export const shopPrivacy = z.object({
  delta: z.number(),
  /** Rounds this bakery sent a model update for. */
  rounds: z.number().int(),
  /** Over all of them; null when any was plain or noiseless: no formal guarantee from then on. */
  epsilon: z.number().nullable(),
  /** The first update without noise, when there was one. */
  unboundedSince: isoTime.nullable(),
  plainUpdates: z.number().int(),
  noiselessUpdates: z.number().int(),
  year: z.object({ rounds: z.number().int(), epsilon: z.number().nullable() }),
});
export type ShopPrivacy = z.infer<typeof shopPrivacy>;

export const privacyContract = {
  'privacy.policy': method(
    'This bakery’s privacy policy, the app’s defaults and the epsilon spent over the last year.',
    z.object({}).strict(),
    policyView,
  ),
  'privacy.setPolicy': method(
    'Change this bakery’s privacy policy; it applies from the next message the app would send.',
    privacyPolicy,
    policyView,
  ),
  'ledger.rounds': method(
    'What left this bakery, round by round (newest first), with what the coordinator could see.',
    z
      .object({
        limit: z.number().int().min(1).max(200).default(20),
        beforeRoundId: z.number().int().optional(),
      })
      .strict(),
    z.object({
      rounds: z.array(ledgerRound),
      /** Messages tied to no round: enrolment, status checks, model downloads, accuracy reports. */
      unassigned: z.object({
        messages: z.number().int(),
        bytes: z.number().int(),
        kinds: kindCounts,
      }),
    }),
  ),
};
