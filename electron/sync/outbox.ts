import type { Db } from '../store/database.ts';
import type { RequestMeta } from './ledger.ts';

/** One message waiting for the coordinator. The body is kept byte-exact so a retry is the same upload. */
export type OutboxMessage = {
  kind: 'update' | 'refusal';
  roundId: number | null;
  idempotencyKey: string;
  path: string;
  body: string;
  /** What each attempt's ledger line says (the sender writes it before the bytes leave). */
  meta: RequestMeta;
};

/**
 * Rows queued by versions that ledgered on acknowledgement carry no `meta`: their plain update
 * is charged like any other, so an upgrade cannot send one uncounted.
 */
function withMeta(message: OutboxMessage): OutboxMessage {
  if (message.meta) return message;
  const meta: RequestMeta = { kind: message.kind, roundId: message.roundId };
  if (message.kind === 'update' && message.roundId !== null)
    meta.charge = {
      roundKey: `outbox:${message.idempotencyKey}`,
      roundId: message.roundId,
      mode: 'plain',
      noiseMultiplier: 0,
      clipNorm: null,
    };
  return { ...message, meta };
}

type Row = {
  id: number;
  kind: string;
  round_id: number | null;
  idempotency_key: string;
  payload: Buffer;
  attempts: number;
  next_attempt_at: string;
  last_error: string | null;
};

export const backoff = { baseMs: 30_000, maxMs: 6 * 3600_000 };

/** Exponential: 30 s, 1 min, 2 min … capped at 6 h, so a shop offline for days still retries. */
export function retryDelayMs(attempts: number): number {
  return Math.min(backoff.baseMs * 2 ** Math.max(0, attempts - 1), backoff.maxMs);
}

/** Adds a message unless one with the same idempotency key is already waiting. */
export function enqueue(db: Db, message: OutboxMessage, now: Date): boolean {
  return (
    db
      .prepare(
        `INSERT OR IGNORE INTO sync_outbox (kind, round_id, idempotency_key, payload, next_attempt_at, created_at)
         VALUES (?, ?, ?, ?, ?, ?)`,
      )
      .run(
        message.kind,
        message.roundId,
        message.idempotencyKey,
        Buffer.from(JSON.stringify(message)),
        now.toISOString(),
        now.toISOString(),
      ).changes === 1
  );
}

export function pendingCount(db: Db): number {
  return db.prepare<[], { c: number }>('SELECT COUNT(*) AS c FROM sync_outbox').get()!.c;
}

export function hasPending(db: Db, idempotencyKey: string): boolean {
  return (
    db.prepare('SELECT 1 FROM sync_outbox WHERE idempotency_key = ?').get(idempotencyKey) !==
    undefined
  );
}

export type Delivery = (message: OutboxMessage) => Promise<unknown>;
export type DeliveryFailure = { retryable: boolean; message: string };

/**
 * Sends what is due, oldest first. A row leaves the outbox only after the coordinator
 * acknowledged it; the coordinator answers a repeated upload as a duplicate, so nothing is lost
 * or counted twice. Each attempt is ledgered by the sender, before it leaves.
 */
export async function flushOutbox(
  db: Db,
  deliver: Delivery,
  classify: (error: unknown) => DeliveryFailure,
  options: { now: () => Date; ignoreBackoff?: boolean },
): Promise<{ sent: number; failed: number; dropped: string[]; lastError: string | null }> {
  const due = db
    .prepare<[string], Row>('SELECT * FROM sync_outbox WHERE next_attempt_at <= ? ORDER BY id')
    .all(options.ignoreBackoff ? '9999-12-31' : options.now().toISOString());
  let sent = 0;
  let failed = 0;
  const dropped: string[] = [];
  let lastError: string | null = null;
  for (const row of due) {
    const message = withMeta(JSON.parse(row.payload.toString('utf8')) as OutboxMessage);
    try {
      await deliver(message);
      db.prepare('DELETE FROM sync_outbox WHERE id = ?').run(row.id);
      sent++;
    } catch (error) {
      const failure = classify(error);
      lastError = failure.message;
      if (!failure.retryable) {
        // The coordinator will never take it (for example the round closed): keep trying would only block the queue.
        db.prepare('DELETE FROM sync_outbox WHERE id = ?').run(row.id);
        dropped.push(`${message.idempotencyKey}: ${failure.message}`);
        continue;
      }
      failed++;
      const attempts = row.attempts + 1;
      db.prepare(
        'UPDATE sync_outbox SET attempts = ?, next_attempt_at = ?, last_error = ? WHERE id = ?',
      ).run(
        attempts,
        new Date(options.now().getTime() + retryDelayMs(attempts)).toISOString(),
        failure.message,
        row.id,
      );
      // Offline: the rest would fail the same way.
      if ((error as { code?: string }).code === 'offline') break;
    }
  }
  return { sent, failed, dropped, lastError };
}
