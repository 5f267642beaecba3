import { z } from 'zod';
import { refusalReason } from './privacy-policy.ts';

/*
 * What the operator dashboard reads from the coordinator. Each response is defined once here,
 * used by the coordinator's routes (and so in /openapi.json) and, as types, by the dashboard.
 * Only what the protocol already gives the coordinator appears: participation, last seen, app
 * version, aggregate evaluation figures. No per-shop metric has a field here on purpose.
 */

const time = z.string().describe('ISO 8601 time, UTC');

export const ViewErrorTrendPoint = z.object({
  version: z.number().int(),
  round: z.number().int().nullable(),
  error: z.number().describe('Aggregate federated evaluation error of that version'),
});

export const PrivacySummary = z.object({
  available: z
    .boolean()
    .describe('False until a round released an aggregate, and whenever one carried no noise'),
  epsilonTotal: z.number().nullable(),
  epsilonLastRound: z.number().nullable(),
  delta: z.number().nullable(),
  budget: z.number().nullable().describe('Total epsilon after which rounds stop'),
  roundsCounted: z
    .number()
    .int()
    .describe('Rounds that released an aggregate: published, or failed after it was seen'),
  roundsWithoutNoise: z
    .number()
    .int()
    .describe('Counted rounds that carried no noise (plain, or z = 0): with any, no bound holds'),
  exhausted: z.boolean(),
});
export type PrivacySummary = z.infer<typeof PrivacySummary>;

export const ParticipationDay = z.object({
  day: z.string().describe('YYYY-MM-DD (UTC)'),
  enrolled: z.number().int(),
  joined: z.number().int().describe('Shops that uploaded in a round opened that day'),
});

export const OverviewView = z.object({
  generatedAt: time,
  tonight: z
    .object({
      roundId: z.number().int(),
      phase: z.string(),
      openedAt: time,
      phaseDeadline: time.nullable(),
      minimumShops: z.number().int().nullable(),
      checkedIn: z.number().int(),
      uploaded: z.number().int(),
      dropped: z.number().int(),
    })
    .nullable()
    .describe('The round in progress, or null between rounds'),
  lastRound: z
    .object({
      roundId: z.number().int(),
      outcome: z.string(),
      closedAt: time.nullable(),
      participants: z.number().int(),
    })
    .nullable(),
  nextRoundAt: time.nullable(),
  schedule: z
    .object({
      cron: z.string().nullable().describe("The settings' schedule (null: rounds only by hand)"),
      running: z.boolean().describe('Whether this coordinator runs its scheduler at all'),
    })
    .describe('From the one settings object, so the dashboard never guesses'),
  shops: z.object({
    enrolled: z.number().int(),
    revoked: z.number().int(),
    onlineLast24h: z.number().int(),
  }),
  model: z
    .object({
      version: z.number().int(),
      createdAt: time,
      round: z.number().int().nullable(),
    })
    .nullable(),
  errorMetric: z.string().nullable().describe('Which aggregate metric the error trend shows'),
  errorTrend: z.array(ViewErrorTrendPoint),
  privacy: PrivacySummary,
  participationByDay: z.array(ParticipationDay),
});
export type OverviewView = z.infer<typeof OverviewView>;

export const ParticipationMark = z.enum(['joined', 'dropped', 'missed', 'refused', 'not-enrolled']);
export type ParticipationMark = z.infer<typeof ParticipationMark>;

export const ShopRow = z.object({
  id: z.string(),
  name: z.string(),
  enrolledAt: time,
  lastSeenAt: time.nullable(),
  appVersion: z.string().nullable(),
  status: z.enum(['active', 'revoked']),
  roundsJoined: z.number().int(),
  roundsMissed: z.number().int(),
  strip: z
    .array(z.object({ roundId: z.number().int(), mark: ParticipationMark }))
    .describe('The last rounds, oldest first'),
});
export type ShopRow = z.infer<typeof ShopRow>;

export const InviteRow = z.object({
  id: z.string(),
  label: z.string().nullable(),
  createdAt: time,
  expiresAt: time,
  status: z.enum(['open', 'used', 'expired', 'revoked']),
});
export type InviteRow = z.infer<typeof InviteRow>;

export const ShopsView = z.object({
  shops: z.array(ShopRow),
  invites: z.array(InviteRow),
  byDay: z.array(ParticipationDay),
});
export type ShopsView = z.infer<typeof ShopsView>;

export const PhaseSpan = z.object({
  phase: z.string(),
  startedAt: time,
  endedAt: time.nullable(),
  durationMs: z.number().nullable(),
});
export type PhaseSpan = z.infer<typeof PhaseSpan>;

export const RoundRow = z.object({
  id: z.number().int(),
  phase: z.string().describe('Current phase, or the final state'),
  outcome: z.enum(['running', 'published', 'failed']),
  openedAt: time,
  closedAt: time.nullable(),
  phaseDeadline: time.nullable(),
  modelIn: z.number().int().nullable(),
  modelOut: z.number().int().nullable(),
  participants: z.number().int().describe('Shops that checked in'),
  uploaded: z.number().int(),
  dropouts: z.number().int(),
  phases: z.array(PhaseSpan),
  failureReason: z.string().nullable(),
});
export type RoundRow = z.infer<typeof RoundRow>;

export const RoundsView = z.object({ rounds: z.array(RoundRow) });
export type RoundsView = z.infer<typeof RoundsView>;

/** What the coordinator could see of a round, from the settings it ran with and its records. */
export const RoundPrivacy = z.object({
  mode: z.enum(['plain', 'secure']),
  /** The noise the aggregate really carried: 0 for a plain round whatever its setting. */
  noiseMultiplier: z.number(),
  clipNorm: z.number(),
  threshold: z
    .number()
    .int()
    .nullable()
    .describe('T: the bakeries that had to upload and sign for the sum to be unmasked'),
  colluders: z
    .number()
    .int()
    .nullable()
    .describe(
      'c: shops colluding with the coordinator the secure round was sized for, as recorded',
    ),
  rosterSize: z.number().int().nullable().describe('Shops in its signed roster'),
  summed: z
    .number()
    .int()
    .nullable()
    .describe('Updates in the aggregate the coordinator saw (plain: updates it read)'),
  released: z.boolean().describe('Whether the coordinator saw an aggregate (or a plain update)'),
  configuration: z
    .object({
      rosterSize: z.number().int(),
      colluders: z.number().int(),
      minSurvivors: z.number().int(),
      graph: z.enum(['complete', 'secagg+']),
      neighbours: z.number().int(),
      threshold: z.number().int(),
    })
    .nullable()
    .describe(
      'What the secure round was built to withstand, derived from its signed roster: n, c colluders, T survivors, graph, k neighbours, t-of-(k+1) shares',
    ),
});
export type RoundPrivacy = z.infer<typeof RoundPrivacy>;

export const RoundDetailView = z.object({
  round: RoundRow,
  settings: z.record(z.string(), z.union([z.number(), z.string(), z.boolean(), z.null()])),
  privacy: RoundPrivacy,
  shops: z.array(
    z.object({
      shopId: z.string(),
      name: z.string(),
      mark: ParticipationMark,
      lastPhase: z.string().nullable().describe('How far the shop got in this round'),
      refusal: z
        .object({ stage: z.enum(['settings', 'roster']), reasons: z.array(refusalReason) })
        .nullable()
        .describe('Why the shop skipped the round under its own policy, as it reported'),
    }),
  ),
  epsilon: z.number().nullable(),
  evaluation: z
    .object({ shopsReporting: z.number().int(), metrics: z.record(z.string(), z.number()) })
    .nullable()
    .describe('Aggregate evaluation of the model this round published'),
});
export type RoundDetailView = z.infer<typeof RoundDetailView>;

export const ModelRow = z.object({
  version: z.number().int(),
  round: z.number().int().nullable(),
  createdAt: time,
  current: z.boolean(),
  contentHash: z.string().nullable(),
  shopsReporting: z.number().int(),
  metrics: z.record(z.string(), z.number()).describe('Aggregate federated evaluation figures'),
});
export type ModelRow = z.infer<typeof ModelRow>;

export const ModelsView = z.object({
  current: z.number().int().nullable(),
  metricNames: z.array(z.string()),
  models: z.array(ModelRow),
});
export type ModelsView = z.infer<typeof ModelsView>;

export const PrivacyView = z.object({
  summary: PrivacySummary,
  series: z.array(
    z.object({
      round: z.number().int(),
      closedAt: time.nullable(),
      epsilonRound: z.number(),
      epsilonTotal: z.number(),
    }),
  ),
});
export type PrivacyView = z.infer<typeof PrivacyView>;

/** Sent on /api/operator/events whenever something the dashboard shows has changed. */
export const OperatorEvent = z.object({ type: z.literal('changed'), at: time });
export type OperatorEvent = z.infer<typeof OperatorEvent>;

export const RoundIdParams = z.object({ id: z.coerce.number().int().positive() });
