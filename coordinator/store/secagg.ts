/**
 * The messages shops send in a secure round, one row each (secagg_messages), and the encrypted
 * share records by recipient (secagg_shares). The round's small header stays in
 * rounds.phase_state; nothing here is rewritten when another shop's message arrives.
 */
import { createHash } from 'node:crypto';
import type { SecureMessageKind } from '../../federated/secagg/round-http.ts';
import type { Sql } from './sql.ts';

export type StoredMessage = {
  shop_id: string;
  digest: string;
  body: Buffer | null;
  meta: string | null;
  received_at: string;
};

export const digestOf = (body: Uint8Array): string =>
  createHash('sha256').update(body).digest('hex');

/** The receipt of a message this shop already sent, to answer a retry with. */
export async function messageReceipt(
  sql: Sql,
  roundId: number,
  kind: SecureMessageKind,
  shopId: string,
): Promise<{ digest: string; received_at: string } | undefined> {
  return sql.get(
    'SELECT digest, received_at FROM secagg_messages WHERE round_id = ? AND kind = ? AND shop_id = ?',
    [roundId, kind, shopId],
  );
}

export async function insertMessage(
  sql: Sql,
  roundId: number,
  kind: SecureMessageKind,
  shopId: string,
  message: { digest: string; body: Uint8Array; meta?: unknown; receivedAt: string },
): Promise<void> {
  await sql.run(
    `INSERT INTO secagg_messages (round_id, shop_id, kind, digest, body, meta, received_at)
     VALUES (?, ?, ?, ?, ?, ?, ?)`,
    [
      roundId,
      shopId,
      kind,
      message.digest,
      Buffer.from(message.body.buffer, message.body.byteOffset, message.body.byteLength),
      message.meta === undefined ? null : JSON.stringify(message.meta),
      message.receivedAt,
    ],
  );
}

export async function messageSenders(
  sql: Sql,
  roundId: number,
  kind: SecureMessageKind,
): Promise<string[]> {
  const rows = await sql.all<{ shop_id: string }>(
    'SELECT shop_id FROM secagg_messages WHERE round_id = ? AND kind = ? ORDER BY shop_id',
    [roundId, kind],
  );
  return rows.map((r) => r.shop_id);
}

/** How many messages of a kind a round holds (an indexed count: the table's key leads with both). */
export async function messageCount(
  sql: Sql,
  roundId: number,
  kind: SecureMessageKind,
): Promise<number> {
  const row = await sql.get<{ n: number | string }>(
    'SELECT COUNT(*) AS n FROM secagg_messages WHERE round_id = ? AND kind = ?',
    [roundId, kind],
  );
  return Number(row?.n ?? 0);
}

/** Which kinds of message one shop has sent in a round. */
export async function kindsSent(
  sql: Sql,
  roundId: number,
  shopId: string,
): Promise<Set<SecureMessageKind>> {
  const rows = await sql.all<{ kind: SecureMessageKind }>(
    'SELECT kind FROM secagg_messages WHERE round_id = ? AND shop_id = ?',
    [roundId, shopId],
  );
  return new Set(rows.map((r) => r.kind));
}

/** Every message of a kind with its body (JSON kinds and, when asked, masked uploads). */
export async function messagesOf(
  sql: Sql,
  roundId: number,
  kind: SecureMessageKind,
  shopIds?: readonly string[],
): Promise<StoredMessage[]> {
  if (shopIds && shopIds.length === 0) return [];
  const only = shopIds ? ` AND shop_id IN (${shopIds.map(() => '?').join(', ')})` : '';
  return sql.all<StoredMessage>(
    `SELECT shop_id, digest, body, meta, received_at FROM secagg_messages
     WHERE round_id = ? AND kind = ?${only} ORDER BY shop_id`,
    [roundId, kind, ...(shopIds ?? [])],
  );
}

/** The small facts of each message of a kind (of some shops), without bodies. */
export async function metaOf(
  sql: Sql,
  roundId: number,
  kind: SecureMessageKind,
  shopId?: string,
): Promise<{ shop_id: string; meta: string | null }[]> {
  return sql.all(
    `SELECT shop_id, meta FROM secagg_messages WHERE round_id = ? AND kind = ?${
      shopId === undefined ? '' : ' AND shop_id = ?'
    } ORDER BY shop_id`,
    [roundId, kind, ...(shopId === undefined ? [] : [shopId])],
  );
}

export async function insertShareRecords(
  sql: Sql,
  roundId: number,
  from: string,
  records: readonly { to: string; record: string }[],
): Promise<void> {
  // Bounded batches keep each statement under both stores' parameter limits.
  for (let at = 0; at < records.length; at += 200) {
    const batch = records.slice(at, at + 200);
    await sql.run(
      `INSERT INTO secagg_shares (round_id, to_shop, from_shop, record) VALUES ${batch
        .map(() => '(?, ?, ?, ?)')
        .join(', ')}`,
      batch.flatMap((r) => [roundId, r.to, from, r.record]),
    );
  }
}

/** The share records addressed to one shop, by sender. */
export async function recordsTo(
  sql: Sql,
  roundId: number,
  to: string,
): Promise<Map<string, string>> {
  const rows = await sql.all<{ from_shop: string; record: string }>(
    'SELECT from_shop, record FROM secagg_shares WHERE round_id = ? AND to_shop = ?',
    [roundId, to],
  );
  return new Map(rows.map((r) => [r.from_shop, r.record]));
}

/** The share records some senders dealt, by sender then recipient. */
export async function recordsFrom(
  sql: Sql,
  roundId: number,
  from: readonly string[],
): Promise<Map<string, Map<string, string>>> {
  const out = new Map<string, Map<string, string>>(from.map((id) => [id, new Map()]));
  for (let at = 0; at < from.length; at += 200) {
    const batch = from.slice(at, at + 200);
    const rows = await sql.all<{ from_shop: string; to_shop: string; record: string }>(
      `SELECT from_shop, to_shop, record FROM secagg_shares
       WHERE round_id = ? AND from_shop IN (${batch.map(() => '?').join(', ')})`,
      [roundId, ...batch],
    );
    for (const r of rows) out.get(r.from_shop)!.set(r.to_shop, r.record);
  }
  return out;
}

/**
 * What a round no longer needs once its sum is unmasked: the masked uploads and the encrypted
 * shares (the digests and receipts stay, so a late retry still gets its receipt).
 */
export async function dropRoundPayloads(sql: Sql, roundId: number): Promise<void> {
  await sql.run("UPDATE secagg_messages SET body = NULL WHERE round_id = ? AND kind = 'masked'", [
    roundId,
  ]);
  await sql.run('DELETE FROM secagg_shares WHERE round_id = ?', [roundId]);
}
