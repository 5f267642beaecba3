import { flag, type Sql } from '../store/sql.ts';
import type { PhaseSpan, RoundRow } from '../../federated/protocol/operator-views.ts';

/** The rounds table as the coordinator store writes it (coordinator/store/migrations/001). */
export type StoredRound = {
  id: number;
  phase: string;
  model_version: number;
  settings: string;
  opened_at: string;
  phase_deadline: string | null;
  phase_log: string;
  closed_at: string | null;
  result_version: number | null;
  failure_reason: string | null;
  phase_state?: string | null;
};

export type RoundCounts = { participants: number; uploaded: number; dropouts: number };

const terminal = new Set(['published', 'failed']);

export function isFinished(phase: string): boolean {
  return terminal.has(phase);
}

/**
 * Phase spans from the round's phase log: each phase lasts until the next one began. The
 * terminal entry only marks the end; a phase still running has no end and no duration yet.
 */
export function phaseSpans(phaseLog: string): PhaseSpan[] {
  let entries: { phase: string; at: string }[];
  try {
    entries = JSON.parse(phaseLog) as { phase: string; at: string }[];
  } catch {
    return [];
  }
  const spans: PhaseSpan[] = [];
  entries.forEach((entry, index) => {
    if (terminal.has(entry.phase)) return;
    const next = entries[index + 1];
    const endedAt = next?.at ?? null;
    spans.push({
      phase: entry.phase,
      startedAt: entry.at,
      endedAt,
      durationMs: endedAt === null ? null : Date.parse(endedAt) - Date.parse(entry.at),
    });
  });
  return spans;
}

export async function countsOf(sql: Sql, roundId: number): Promise<RoundCounts> {
  const row = await sql.get<RoundCounts>(
    `SELECT COUNT(*) AS participants,
            COALESCE(SUM(${flag(
              `p.uploaded_at IS NOT NULL
               OR EXISTS (SELECT 1 FROM updates u WHERE u.round_id = ? AND u.shop_id = p.shop_id)`,
            )}), 0) AS uploaded,
            COALESCE(SUM(${flag('p.dropped_in IS NOT NULL')}), 0) AS dropouts
     FROM round_participants p WHERE p.round_id = ?`,
    [roundId, roundId],
  );
  return row ?? { participants: 0, uploaded: 0, dropouts: 0 };
}

export async function roundRow(sql: Sql, round: StoredRound): Promise<RoundRow> {
  const counts = await countsOf(sql, round.id);
  // A shop that checked in but never uploaded before a round closed dropped out, even when the
  // phase handler did not name the phase it left in.
  const silent = isFinished(round.phase)
    ? counts.participants - counts.uploaded - counts.dropouts
    : 0;
  return {
    id: round.id,
    phase: round.phase,
    outcome:
      round.phase === 'published' ? 'published' : round.phase === 'failed' ? 'failed' : 'running',
    openedAt: round.opened_at,
    closedAt: round.closed_at,
    phaseDeadline: isFinished(round.phase) ? null : round.phase_deadline,
    modelIn: round.model_version,
    modelOut: round.result_version,
    participants: counts.participants,
    uploaded: counts.uploaded,
    dropouts: counts.dropouts + Math.max(0, silent),
    phases: phaseSpans(round.phase_log),
    failureReason: round.failure_reason,
  };
}

export async function storedRounds(sql: Sql, limit = 200): Promise<StoredRound[]> {
  return sql.all<StoredRound>('SELECT * FROM rounds ORDER BY id DESC LIMIT ?', [limit]);
}

export async function storedRound(sql: Sql, id: number): Promise<StoredRound | undefined> {
  return sql.get<StoredRound>('SELECT * FROM rounds WHERE id = ?', [id]);
}

export function parseSettings(text: string): Record<string, unknown> {
  try {
    const value = JSON.parse(text) as unknown;
    return value && typeof value === 'object' ? (value as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

/** Round settings flattened to scalar figures for display (deadlines.collectSeconds, …). */
export function flattenSettings(
  settings: Record<string, unknown>,
  prefix = '',
): Record<string, number | string | boolean | null> {
  const flat: Record<string, number | string | boolean | null> = {};
  for (const [key, value] of Object.entries(settings)) {
    const name = prefix ? `${prefix}.${key}` : key;
    if (value && typeof value === 'object' && !Array.isArray(value))
      Object.assign(flat, flattenSettings(value as Record<string, unknown>, name));
    else if (
      value === null ||
      typeof value === 'number' ||
      typeof value === 'string' ||
      typeof value === 'boolean'
    )
      flat[name] = value;
  }
  return flat;
}
