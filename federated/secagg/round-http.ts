/**
 * The HTTP contract of an active-adversary secure round, shared by the coordinator's routes and
 * the shop's client (one definition, both sides validate). Every route is a signed shop request.
 *
 *   GET  /v1/rounds/:roundId/secagg            → secureRoundView (what this shop needs now)
 *   POST /v1/rounds/:roundId/secagg/advertise  advertisementMessage (JSON)  → secureAck
 *   POST /v1/rounds/:roundId/secagg/shares     shareKeysMessage (JSON)      → secureAck
 *   POST /v1/rounds/:roundId/secagg/masked     maskedUploadBody (application/octet-stream) → secureAck
 *   POST /v1/rounds/:roundId/secagg/confirm    confirmation (JSON)          → secureAck
 *   POST /v1/rounds/:roundId/secagg/unmask     unmaskMessage (JSON)         → secureAck
 *   POST /v1/rounds/:roundId/refusal           refusalReport (privacy-policy.ts), as before
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
  confirmRequest,
  rosterEntry,
  secAggParams,
  shareKeyFor,
  shareRecord,
  shopIds,
  unmaskRequest,
} from './round-wire.ts';

/** Every product round runs on Z_2^32. */
export const SECURE_MODULUS_BITS = 32;

export const secureRoutes = {
  view: (roundId: number) => `/v1/rounds/${roundId}/secagg`,
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
 * What a polling shop needs in the current phase. Each phase's part is null outside its phase,
 * and for a shop the phase does not include (not in the roster, not a sharer, not a survivor,
 * not a signer). `received` says which of this shop's messages the coordinator holds, so a shop
 * that restarted knows what counted and what to resend; `dropped` is set when the coordinator
 * took this shop out of the round (a proven bad share, revocation): it should stop.
 */
export const secureRoundView = z.object({
  roundId: z.number().int(),
  phase: z.string(),
  /** Fixed when advertising opens (null while the round is open); bound into every signature. */
  params: secAggParams.nullable(),
  /** share phase: the roster as advertised and signed, and the share keys this shop encrypts to. */
  share: z.object({ roster: z.array(rosterEntry), shareKeys: z.array(shareKeyFor) }).nullable(),
  /** collect phase: the share records addressed to this shop, and who it must not mask with. */
  collect: z.object({ shares: z.array(shareRecord), dropped: shopIds }).nullable(),
  /** confirm phase: the survivor set to sign (the consistency check). */
  confirm: confirmRequest.nullable(),
  /** unmask phase: the survivor set with at least T survivors' signatures over it. */
  unmask: unmaskRequest.nullable(),
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
