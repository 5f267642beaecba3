import {
  refusalReason,
  roundSettings,
  type RefusalReason,
  type RefusalReport,
  type RoundSettings,
} from '../../federated/protocol/index.ts';
import { z } from 'zod';
import type { Sql } from './sql.ts';

export type FinishedRound = {
  id: number;
  phase: 'published' | 'failed';
  closedAt: string | null;
  settings: RoundSettings;
  /** Whether the coordinator saw an aggregate (or, in a plain round, any update). */
  released: boolean;
  /** The phase handlers' record of the round (a secure round's parameters), as stored. */
  phaseState: string | null;
};

type Row = {
  id: number;
  phase: 'published' | 'failed';
  closed_at: string | null;
  settings: string;
  phase_state: string | null;
  updates: number;
};

/**
 * Every finished round and whether it released anything: published rounds did; a failed secure
 * round did once its sum was unmasked; a failed plain round did once one update arrived, since
 * the coordinator read it.
 */
export async function finishedRounds(sql: Sql): Promise<FinishedRound[]> {
  const rows = await sql.all<Row>(
    `SELECT r.id, r.phase, r.closed_at, r.settings, r.phase_state,
            (SELECT COUNT(*) FROM updates u WHERE u.round_id = r.id) AS updates
     FROM rounds r WHERE r.phase IN ('published', 'failed') ORDER BY r.id`,
  );
  return rows.map((row) => {
    const settings = roundSettings.parse(JSON.parse(row.settings));
    const unmasked = (() => {
      try {
        return Boolean((JSON.parse(row.phase_state ?? 'null') as { sum?: unknown } | null)?.sum);
      } catch {
        return false;
      }
    })();
    const released =
      row.phase === 'published' || (settings.mode === 'plain' ? Number(row.updates) > 0 : unmasked);
    return {
      id: row.id,
      phase: row.phase,
      closedAt: row.closed_at,
      settings,
      released,
      phaseState: row.phase_state,
    };
  });
}

/** Keeps a shop's refusal report; an identical resend is a duplicate, a different one a conflict. */
export async function recordRefusal(
  sql: Sql,
  refusal: { roundId: number; shopId: string; report: RefusalReport; sha256: string; now: Date },
): Promise<'recorded' | 'duplicate' | 'conflict'> {
  const earlier = await sql.get<{ payload_sha256: string }>(
    'SELECT payload_sha256 FROM round_refusals WHERE round_id = ? AND shop_id = ?',
    [refusal.roundId, refusal.shopId],
  );
  if (earlier) return earlier.payload_sha256 === refusal.sha256 ? 'duplicate' : 'conflict';
  await sql.run(
    `INSERT INTO round_refusals (round_id, shop_id, stage, reasons, payload_sha256, received_at)
     VALUES (?, ?, ?, ?, ?, ?)`,
    [
      refusal.roundId,
      refusal.shopId,
      refusal.report.stage,
      JSON.stringify(refusal.report.reasons),
      refusal.sha256,
      refusal.now.toISOString(),
    ],
  );
  return 'recorded';
}

export type ShopRefusal = {
  shopId: string;
  stage: RefusalReport['stage'];
  reasons: RefusalReason[];
  receivedAt: string;
};

export async function refusalsOf(sql: Sql, roundId: number): Promise<ShopRefusal[]> {
  const rows = await sql.all<{
    shop_id: string;
    stage: 'settings' | 'roster';
    reasons: string;
    received_at: string;
  }>(
    'SELECT shop_id, stage, reasons, received_at FROM round_refusals WHERE round_id = ? ORDER BY shop_id',
    [roundId],
  );
  return rows.map((row) => ({
    shopId: row.shop_id,
    stage: row.stage,
    reasons: z.array(refusalReason).parse(JSON.parse(row.reasons)),
    receivedAt: row.received_at,
  }));
}

/** How many shops reported skipping this round (one indexed count: checked after every message). */
export async function refusalCount(sql: Sql, roundId: number): Promise<number> {
  const row = await sql.get<{ n: number | string }>(
    'SELECT COUNT(*) AS n FROM round_refusals WHERE round_id = ?',
    [roundId],
  );
  return Number(row?.n ?? 0);
}

/** Shops that reported skipping this round under their own policy. */
export async function refusedShops(sql: Sql, roundId: number): Promise<Set<string>> {
  const rows = await sql.all<{ shop_id: string }>(
    'SELECT shop_id FROM round_refusals WHERE round_id = ?',
    [roundId],
  );
  return new Set(rows.map((row) => row.shop_id));
}
