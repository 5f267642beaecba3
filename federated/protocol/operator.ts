import { z } from 'zod';
import { roundPhase, roundSettings, roundView, type RoundSettings } from './rounds.ts';

/** Operator API (/v1/operator): session cookie + CSRF header, never shop credentials. */

export const loginRequest = z.object({
  name: z.string().trim().min(1).max(64),
  password: z.string().min(1).max(1024),
});
export const sessionResponse = z.object({
  operator: z.string(),
  csrfToken: z.string(),
  expiresAt: z.string(),
});
export const setupRequest = z.object({
  token: z.string().min(16).max(128),
  name: z.string().trim().min(1).max(64),
  password: z.string().min(12).max(1024),
});
export const okResponse = z.object({ ok: z.literal(true) });

export const inviteRequest = z.object({
  expiresInHours: z
    .number()
    .positive()
    .max(24 * 30)
    .default(72),
  note: z.string().max(200).optional(),
});
export const inviteResponse = z.object({ code: z.string(), expiresAt: z.string() });

export const shopSummary = z.object({
  id: z.string(),
  name: z.string(),
  appVersion: z.string(),
  enrolledAt: z.string(),
  lastSeenAt: z.string().nullable(),
  revokedAt: z.string().nullable(),
  roundsJoined: z.number().int(),
});
export const shopsResponse = z.object({ shops: z.array(shopSummary) });
export const shopIdParams = z.object({ shopId: z.string().min(1).max(64) });

export const roundSummary = roundView.extend({
  closedAt: z.string().nullable(),
  participants: z.number().int(),
  uploads: z.number().int(),
  phaseLog: z.array(z.object({ phase: roundPhase, at: z.string() })),
});
export const roundsResponse = z.object({ rounds: z.array(roundSummary) });
/**
 * Per-round overrides hold only what the operator names. `roundSettings.partial()` would still
 * fill every default in, silently resetting the stored clip norm, noise and mode of the round.
 */
export const roundOverrides = z.object(
  Object.fromEntries(
    Object.entries(roundSettings.shape).map(([key, schema]) => [
      key,
      (schema instanceof z.ZodDefault ? schema.unwrap() : schema).optional(),
    ]),
  ),
) as unknown as z.ZodType<Partial<RoundSettings>>;
export const startRoundRequest = z.object({ settings: roundOverrides.optional() });

export const modelSummary = z.object({
  version: z.number().int(),
  roundId: z.number().int().nullable(),
  parentVersion: z.number().int().nullable(),
  sha256: z.string(),
  parameterCount: z.number().int(),
  createdAt: z.string(),
  current: z.boolean(),
  /** Averages over the shops that reported; null until one did. */
  metrics: z
    .object({
      reports: z.number().int(),
      n: z.number().int(),
      pinball: z.number(),
      wape: z.number(),
    })
    .nullable(),
});
export const modelsResponse = z.object({ models: z.array(modelSummary) });

/**
 * The consortium's total privacy budget: once the epsilon spent over published noised rounds
 * (at `delta`) would pass `budget`, rounds stop. null: no budget, rounds never stop for it.
 */
const privacyDelta = z.number().gt(0).max(0.01).describe('delta the budget is counted at');
const privacyBudget = z
  .number()
  .positive()
  .max(1_000_000)
  .nullable()
  .describe('Total epsilon after which rounds stop (null: no limit)');
export const privacyBudgetSettings = z.object({
  delta: privacyDelta.default(1e-5),
  budget: privacyBudget.default(null),
});
export type PrivacyBudgetSettings = z.infer<typeof privacyBudgetSettings>;

export const coordinatorSettings = z.object({
  /** node-cron expression for the nightly round (coordinator's local time); null = manual only. */
  schedule: z.string().max(100).nullable(),
  round: roundSettings,
  privacy: privacyBudgetSettings.default({ delta: 1e-5, budget: null }),
});
export type CoordinatorSettings = z.infer<typeof coordinatorSettings>;
export const settingsUpdate = z.object({
  schedule: z.string().max(100).nullable().optional(),
  round: roundOverrides.optional(),
  privacy: z
    .object({ delta: privacyDelta.optional(), budget: privacyBudget.optional() })
    .optional(),
});
