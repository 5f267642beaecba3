/**
 * Wire schemas of the secure-aggregation routes, shared by the coordinator and the shop (one
 * definition, both sides validate). Sizes are bounded so a hostile body cannot exhaust memory.
 */
import { z } from 'zod';
import type { PrivacySettings } from '../privacy/contribution.ts';
import type { SecAggParams } from './types.ts';

/**
 * Bound of the HTTP rounds: the ring headroom (fixed-point scale) is sized for 255 summands and
 * the request bodies for 255 shops. The core itself allows larger SecAgg+ rosters (the Shamir cap
 * binds a neighbourhood, see MAX_SHAMIR_SHARES), but raising this would change every secure
 * round's fixed-point scale, so product rounds stay at 255 shops.
 */
export const MAX_SECAGG_SHOPS = 255;
export const SECAGG_MODULUS_BITS = 32;

const shopId = z.string().min(1).max(100);
const key32 = z.string().length(44); // base64 of 32 bytes
const signature = z.string().length(88); // base64 of 64 bytes

export const secAggParams = z.object({
  roundId: z.string().min(1).max(200),
  threshold: z.number().int().min(2).max(MAX_SECAGG_SHOPS),
  vectorLength: z.number().int().min(1).max(10_000_000),
  modulusBits: z.number().int().min(8).max(32),
  neighbours: z.number().int().min(2).max(MAX_SECAGG_SHOPS).nullable().optional(),
});

export const advertisementBody = z.object({
  shopId,
  cPublicKey: key32,
  sPublicKey: key32,
  signature,
});

export const rosterEntry = advertisementBody.extend({ identityKey: key32 });

export const encryptedShare = z.object({
  from: shopId,
  to: shopId,
  ciphertext: z.string().min(1).max(4096),
});

export const shareKeysBody = z.object({
  shopId,
  selfMaskCommitment: key32,
  shares: z.array(encryptedShare).max(MAX_SECAGG_SHOPS),
});

export const maskedInputBody = z.object({
  shopId,
  masked: z
    .string()
    .min(1)
    .max(64 * 1024 * 1024),
});

const shareMap = z
  .record(shopId, z.string().max(64))
  .refine((m) => Object.keys(m).length <= MAX_SECAGG_SHOPS);

export const unmaskBody = z.object({
  shopId,
  selfMaskShares: shareMap,
  pairwiseKeyShares: shareMap,
});

export const unmaskRequestBody = z.object({
  survivors: z.array(shopId).max(MAX_SECAGG_SHOPS),
  dropped: z.array(shopId).max(MAX_SECAGG_SHOPS),
});

/** What a polling shop needs in the current phase; fields of other phases are null. */
export const secureRoundView = z.object({
  roundId: z.number().int(),
  phase: z.string(),
  params: secAggParams.nullable(),
  roster: z.array(rosterEntry).nullable(),
  sharesForMe: z.array(encryptedShare).nullable(),
  unmaskRequest: unmaskRequestBody.nullable(),
  /** Which of this shop's messages the coordinator holds, so a restarted shop knows what to resend. */
  received: z.object({
    advertisement: z.boolean(),
    shares: z.boolean(),
    maskedInput: z.boolean(),
    unmask: z.boolean(),
  }),
});
export type SecureRoundView = z.infer<typeof secureRoundView>;

export const secureAck = z.object({
  roundId: z.number().int(),
  accepted: z.literal(true),
  duplicate: z.boolean(),
  receivedAt: z.string(),
});
export type SecureAck = z.infer<typeof secureAck>;

/**
 * The privacy settings of a secure round, derived identically on both sides from the round's
 * settings and the SecAgg parameters: noise calibrated to the threshold t (the fewest uploads
 * a completed round can have), ring headroom for the largest possible round.
 */
export function roundPrivacySettings(
  settings: {
    clipNorm: number;
    noiseMultiplier: number;
    adaptiveClip?: { targetQuantile: number; learningRate: number } | null;
  },
  params: SecAggParams,
): PrivacySettings {
  const base = {
    clipNorm: settings.clipNorm,
    noiseMultiplier: settings.noiseMultiplier,
    minSurvivors: params.threshold,
    maxShops: MAX_SECAGG_SHOPS,
    modulusBits: params.modulusBits,
  };
  if (!settings.adaptiveClip) return base;
  return {
    ...base,
    adaptive: {
      targetQuantile: settings.adaptiveClip.targetQuantile,
      learningRate: settings.adaptiveClip.learningRate,
    },
  };
}

/** The masked vector carries one extra coordinate (the clip bit) when adaptive clipping is on. */
export function secureVectorLength(
  parameterCount: number,
  settings: { adaptiveClip?: unknown },
): number {
  return parameterCount + (settings.adaptiveClip ? 1 : 0);
}

/**
 * t for a round's settings. Both sides compute it, so a shop can refuse a coordinator that
 * quietly lowers the threshold below what the operator configured.
 */
export function secaggThresholdFor(settings: {
  secaggThreshold: number | null;
  minShops: number;
}): number {
  return Math.max(2, settings.secaggThreshold ?? settings.minShops);
}
