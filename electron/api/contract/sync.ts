import { z } from 'zod';
import { method } from './define.ts';

const isoTime = z.string().describe('ISO 8601 timestamp');

export const syncStatus = z.object({
  enrolled: z.boolean(),
  coordinatorUrl: z.string().nullable(),
  shopId: z.string().nullable(),
  shopName: z.string().nullable(),
  /** Last time the coordinator answered a request of this shop. */
  lastSyncAt: isoTime.nullable(),
  /** The global model version this bakery holds (null before the first download). */
  modelVersion: z.number().int().nullable(),
  /** The round the coordinator is running now, as last seen. */
  currentRound: z
    .object({ id: z.number().int(), phase: z.string(), deadline: isoTime.nullable() })
    .nullable(),
  /** When the coordinator plans its next round, when it said so. */
  nextRoundAt: isoTime.nullable(),
  /** Messages waiting in the outbox (they are retried with backoff). */
  pendingOutbox: z.number().int(),
  /** The last failure in plain words, cleared by the next success. */
  lastError: z.string().nullable(),
  /** This bakery's part in the running secure round, in plain words (it takes several syncs). */
  roundActivity: z.string().nullable().optional(),
  /** Privacy budget this bakery spent over all its noised uploads (null before the first). */
  privacy: z
    .object({
      epsilon: z.number(),
      delta: z.number(),
      rounds: z.number().int(),
      /** The same plain-words sentence the CLI and the dashboard use (English). */
      words: z.string(),
    })
    .nullable()
    .optional(),
});
export type SyncStatus = z.infer<typeof syncStatus>;

export const syncRunResult = z.object({
  /** What happened, in one sentence a bakery owner understands. */
  message: z.string(),
  participatedInRound: z.number().int().nullable(),
  modelVersion: z.number().int().nullable(),
  status: syncStatus,
});
export type SyncRunResult = z.infer<typeof syncRunResult>;

export const ledgerEntry = z.object({
  id: z.number().int(),
  roundId: z.number().int().nullable(),
  kind: z.string().describe('update | metrics | enrol'),
  sentAt: isoTime,
  bytes: z.number().int(),
  clipNorm: z.number().nullable(),
  noiseMultiplier: z.number().nullable(),
  epsilonSpent: z.number().nullable(),
  payloadSha256: z.string(),
  /** Plain-words description of what the payload contained. */
  summary: z.string(),
});
export type LedgerEntry = z.infer<typeof ledgerEntry>;

export const syncContract = {
  'sync.status': method(
    'Whether this bakery is enrolled, its coordinator, last sync, model version, next round and the last error.',
    z.object({}).strict(),
    syncStatus,
  ),
  'sync.enrol': method(
    'Join a consortium with the invite code its operator gave: creates this bakery’s key pair and registers it.',
    z
      .object({
        coordinatorUrl: z.url({ protocol: /^https?$/ }),
        inviteCode: z.string().trim().min(6).max(64),
        shopName: z.string().trim().min(1).max(80),
      })
      .strict(),
    syncStatus,
  ),
  'sync.runNow': method(
    'Send what waits in the outbox, take part in the open round if any, fetch the newest model.',
    z.object({}).strict(),
    syncRunResult,
  ),
  'ledger.list': method(
    'Everything that ever left this bakery, newest first.',
    z
      .object({
        limit: z.number().int().min(1).max(1000).default(200),
        beforeId: z.number().int().optional(),
      })
      .strict(),
    z.object({ entries: z.array(ledgerEntry), total: z.number().int() }),
  ),
  'ledger.export': method(
    'The whole ledger as a file the owner can save (CSV or JSON).',
    z.object({ format: z.enum(['csv', 'json']).default('csv') }).strict(),
    z.object({ fileName: z.string(), mimeType: z.string(), content: z.string() }),
  ),
};
