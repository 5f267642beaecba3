/**
 * The HTTP contract of an active-adversary secure round, shared by the coordinator's routes and
 * the shop's client (one definition, both sides validate). Every route is a signed shop request.
 *
 *   GET  /v1/rounds/:roundId/secagg            → secureRoundView (small: phase, deadline,
 *                                                 roster hash, what this shop still owes)
 *   GET  /v1/rounds/:roundId/secagg/roster     → signedRoster (one per round, ETag = roster hash)
 *   GET  /v1/rounds/:roundId/secagg/share-keys → shareKeysToEncrypt (share: this shop's)
 *   GET  /v1/rounds/:roundId/secagg/inbox      → shareInbox (collect: the records sent to this shop)
 *   GET  /v1/rounds/:roundId/secagg/survivors  → confirmRequest (confirm: the set to sign)
 *   GET  /v1/rounds/:roundId/secagg/unmask-request → unmaskRequest (unmask: the signed set)
 *   POST /v1/rounds/:roundId/secagg/advertise  advertisementMessage (JSON)  → secureAck
 *   POST /v1/rounds/:roundId/secagg/shares     shareKeysMessage (JSON)      → secureAck
 *   POST /v1/rounds/:roundId/secagg/masked     maskedUploadBody (application/octet-stream) → secureAck
 *   POST /v1/rounds/:roundId/secagg/confirm    confirmation (JSON)          → secureAck
 *   POST /v1/rounds/:roundId/secagg/unmask     unmaskMessage (JSON)         → secureAck
 *   POST /v1/rounds/:roundId/refusal           refusalReport (privacy-policy.ts), as before
 *
 * A shop polls the view; what a phase needs that grows with the round (the roster, the share
 * records, the survivor set) it fetches once, when the view says it owes that phase's message:
 * the polls of a round of n shops stay O(1) in size, and the coordinator serialises each shared
 * document once per round, not once per shop and poll. The phase documents answer 409
 * `wrong-phase` outside their phase and 403 `not-taking-part` to a shop the phase does not include.
 *
 * Retries: the same message again answers 200 with the original receipt (`duplicate: true`,
 * the first `receivedAt`) whatever phase the round has reached since; a different second
 * message of the same kind answers 409 `already-sent`. Refusals: 409 `wrong-phase` (the body's
 * `details.phase`), 403 `refused` / `unknown-shop` / `not-yours`, 400 `malformed` /
 * `bad-signature` / `report-unfounded`, 404 `no-round`.
 *
 * A shop derives everything it relies on itself: n, c, T, t and the graph from the signed roster
 * (roundConfig), the contribution plan from the round's settings (contributionSettingsOf) and
 * that configuration (contributionPlanOf). The view carries no number a shop must trust.
 */
import { z } from 'zod';
import {
  contributionLength,
  planContribution,
  type ContributionPlan,
  type ContributionSettings,
} from '../privacy/plan.ts';
import type { RoundConfig } from './round-config.ts';
import {
  key32,
  rosterEntry,
  secAggParams,
  shareKeyFor,
  shareRecord,
  shopIds,
} from './round-wire.ts';

/** Every product round runs on Z_2^32. */
export const SECURE_MODULUS_BITS = 32;

export const secureRoutes = {
  view: (roundId: number) => `/v1/rounds/${roundId}/secagg`,
  roster: (roundId: number) => `/v1/rounds/${roundId}/secagg/roster`,
  shareKeys: (roundId: number) => `/v1/rounds/${roundId}/secagg/share-keys`,
  inbox: (roundId: number) => `/v1/rounds/${roundId}/secagg/inbox`,
  survivors: (roundId: number) => `/v1/rounds/${roundId}/secagg/survivors`,
  unmaskRequest: (roundId: number) => `/v1/rounds/${roundId}/secagg/unmask-request`,
  advertise: (roundId: number) => `/v1/rounds/${roundId}/secagg/advertise`,
  shares: (roundId: number) => `/v1/rounds/${roundId}/secagg/shares`,
  masked: (roundId: number) => `/v1/rounds/${roundId}/secagg/masked`,
  confirm: (roundId: number) => `/v1/rounds/${roundId}/secagg/confirm`,
  unmask: (roundId: number) => `/v1/rounds/${roundId}/secagg/unmask`,
} as const;

/** Content type of the masked upload (round-wire.ts maskedUploadBody / parseMaskedUpload). */
export const MASKED_CONTENT_TYPE = 'application/octet-stream';

/** The kinds of message a shop sends in a round; the coordinator keeps one row per shop and kind. */
export const secureMessageKinds = ['advertise', 'shares', 'masked', 'confirm', 'unmask'] as const;
export type SecureMessageKind = (typeof secureMessageKinds)[number];

/**
 * What a polling shop reads on every poll: small whatever the round's size. `owes` is the
 * message the coordinator still expects from this shop in the current phase (null: nothing, or
 * the shop is not in the phase): only then does the shop fetch that phase's document. `received`
 * says which of this shop's messages the coordinator holds, so a shop that restarted knows what
 * counted and what to resend; `dropped` is set when the coordinator took this shop out of the
 * round (a proven bad share, revocation): it should stop. Nothing here is trusted: the roster
 * hash only names the roster to fetch, which the shop verifies line by line and hashes itself.
 */
export const secureRoundView = z.object({
  roundId: z.number().int(),
  phase: z.string(),
  /** When the current phase closes at the latest (ISO time; null: no deadline). */
  phaseDeadline: z.string().nullable(),
  /** Fixed when advertising opens (null while the round is open); bound into every signature. */
  params: secAggParams.nullable(),
  /** Fixed when advertising closes: names the roster (and so the graph) of the round. */
  rosterHash: key32.nullable(),
  owes: z.enum(secureMessageKinds).nullable(),
  received: z.object({
    advertise: z.boolean(),
    shares: z.boolean(),
    masked: z.boolean(),
    confirm: z.boolean(),
    unmask: z.boolean(),
  }),
  dropped: z.string().nullable(),
});
export type SecureRoundView = z.infer<typeof secureRoundView>;

/** The roster as advertised and signed; the same document for every shop of the round. */
export const signedRoster = z.object({ rosterHash: key32, roster: z.array(rosterEntry) });
export type SignedRoster = z.infer<typeof signedRoster>;

/** share phase: the share keys this shop encrypts to, each with its Merkle path to a root. */
export const shareKeysToEncrypt = z.object({ shareKeys: z.array(shareKeyFor) });

/** collect phase: the share records addressed to this shop, and who it must not mask with. */
export const shareInbox = z.object({ shares: z.array(shareRecord), dropped: shopIds });
export type ShareInbox = z.infer<typeof shareInbox>;

export const secureAck = z.object({
  roundId: z.number().int(),
  accepted: z.literal(true),
  duplicate: z.boolean(),
  receivedAt: z.string(),
});
export type SecureAck = z.infer<typeof secureAck>;

/** The round settings a secure contribution depends on (a subset of RoundSettings). */
export type SecureRoundSettings = {
  clipNorm: number;
  noiseMultiplier: number;
  weighting: 'samples' | 'equal';
  maxSampleWeight: number;
  adaptiveClip: { targetQuantile: number; learningRate: number } | null;
};

/**
 * The contribution settings of a secure round. Every secure round carries the bakeries' evaluation
 * figures as masked coordinates: the coordinator only ever sees the consortium's noised totals.
 */
export function contributionSettingsOf(settings: SecureRoundSettings): ContributionSettings {
  return {
    clipNorm: settings.clipNorm,
    noiseMultiplier: settings.noiseMultiplier,
    weighting: settings.weighting,
    maxSampleWeight: settings.maxSampleWeight,
    metrics: true,
    adaptiveClip: settings.adaptiveClip,
  };
}

/** The plan both sides derive once the roster is signed: noise sized for T survivors, c colluders. */
export function contributionPlanOf(
  settings: SecureRoundSettings,
  parameterCount: number,
  config: RoundConfig,
  modulusBits: number = SECURE_MODULUS_BITS,
): ContributionPlan {
  return planContribution(contributionSettingsOf(settings), {
    parameterCount,
    rosterSize: config.rosterSize,
    threshold: config.minSurvivors,
    colluders: config.colluders,
    modulusBits,
  });
}

/** Ring elements per masked upload; independent of the roster, so it is fixed at advertise. */
export function secureVectorLength(parameterCount: number, settings: SecureRoundSettings): number {
  return contributionLength(contributionSettingsOf(settings), parameterCount);
}
