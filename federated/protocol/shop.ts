import { z } from 'zod';
import { roundView } from './rounds.ts';

/** Requests and responses of the shop-facing API (/v1). Each is used by both sides. */

export const errorBody = z.object({
  error: z.string().describe('machine-readable code'),
  message: z.string().describe('plain words for a person'),
  serverTime: z.string().optional(),
});
export type ErrorBody = z.infer<typeof errorBody>;

export const enrolRequest = z.object({
  inviteCode: z.string().trim().min(6).max(64),
  shopName: z.string().trim().min(1).max(80),
  appVersion: z.string().min(1).max(40),
  /** Ed25519 public key, base64 SPKI DER, generated on the shop. */
  publicKey: z.string().min(40).max(200),
});
export const enrolResponse = z.object({
  shopId: z.string(),
  shopName: z.string(),
  enrolledAt: z.string(),
});

export const currentRoundResponse = z.object({
  serverTime: z.string(),
  round: roundView.nullable(),
  /** Whether this shop's update for that round is already in. */
  uploaded: z.boolean(),
  nextRoundAt: z.string().nullable(),
  currentModelVersion: z.number().int().nullable(),
});
export type CurrentRoundResponse = z.infer<typeof currentRoundResponse>;

export const roundIdParams = z.object({ roundId: z.coerce.number().int().positive() });

export const updateRequest = z.object({
  /** Must equal the round's model version: an update is a difference from that model. */
  modelVersion: z.number().int().positive(),
  parameterCount: z.number().int().positive(),
  /** Local training examples; weights the update when the round weighs by samples. */
  sampleCount: z.number().int().min(1).max(100_000_000),
  encoding: z.literal('f32le-base64'),
  delta: z.string().min(1),
  /** sha256 of the decoded bytes, so a corrupted payload is caught even if it still decodes. */
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
});
export type UpdateRequest = z.infer<typeof updateRequest>;
export const updateResponse = z.object({
  roundId: z.number().int(),
  accepted: z.literal(true),
  /** True when this exact update had already been accepted (a retry). */
  duplicate: z.boolean(),
  receivedAt: z.string(),
});
export type UpdateResponse = z.infer<typeof updateResponse>;

export const checkinResponse = z.object({
  roundId: z.number().int(),
  phase: z.string(),
  checkedInAt: z.string(),
});

export const modelResponse = z.object({
  version: z.number().int(),
  roundId: z.number().int().nullable(),
  parentVersion: z.number().int().nullable(),
  parameterCount: z.number().int(),
  sha256: z.string(),
  createdAt: z.string(),
  encoding: z.literal('f32le-base64'),
  weights: z.string(),
});
export type ModelResponse = z.infer<typeof modelResponse>;
export const modelVersionParams = z.object({ version: z.coerce.number().int().positive() });

export const healthResponse = z.object({
  status: z.literal('ok'),
  protocolVersion: z.number().int(),
  minimumProtocolVersion: z.number().int(),
  serverTime: z.string(),
});
