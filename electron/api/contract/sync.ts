import { z } from 'zod';
import { method } from './define.ts';
import { shopPrivacy } from './privacy.ts';

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
  /** Privacy budget this bakery spent, from every model update it sent. */
  privacy: shopPrivacy,
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

const headerValue = z.string();
const detailValue = z.union([z.number(), z.string(), z.boolean(), z.null()]);

/** One request this app sent to the coordinator, written before its bytes left. */
export const ledgerEntry = z.object({
  id: z.number().int(),
  roundId: z.number().int().nullable(),
  kind: z
    .string()
    .describe(
      'enrol | status | round-status | model | checkin | update | advertise | shares | masked | unmask | metrics | refusal',
    ),
  sentAt: isoTime,
  /** Null on lines written before every request was ledgered (uploads only). */
  method: z.string().nullable(),
  path: z.string().nullable(),
  /** Size of the body in bytes (0 for GET). */
  bytes: z.number().int(),
  /** The headers this app set, as sent: shop id, app version, time, nonce, signature. */
  headers: z.record(z.string(), headerValue),
  /** accepted | refused | none (no answer: it may or may not have arrived) | null (in flight). */
  answer: z.enum(['accepted', 'refused', 'none']).nullable(),
  status: z.number().int().nullable(),
  clipNorm: z.number().nullable(),
  noiseMultiplier: z.number().nullable(),
  /** Epsilon over all updates so far, after this one; null when unbounded or not an update. */
  epsilonSpent: z.number().nullable(),
  /** SHA-256 of the exact body (of the empty string for GET). */
  payloadSha256: z.string(),
  /** What the body held, as codes and numbers the app words in the shop's language. */
  details: z.record(z.string(), detailValue),
  /** English description kept from lines written before details existed; empty otherwise. */
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
        /** Only this round's lines; null: only lines tied to no round. */
        roundId: z.number().int().nullable().optional(),
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
