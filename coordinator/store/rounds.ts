import {
  roundSettings,
  type RoundPhase,
  type RoundSettings,
  type RoundView,
} from '../../federated/protocol/index.ts';
import type { Db } from './database.ts';

export type RoundRow = {
  id: number;
  phase: RoundPhase;
  model_version: number;
  settings: string;
  trigger: 'schedule' | 'operator' | 'cli';
  opened_at: string;
  phase_deadline: string | null;
  phase_log: string;
  closed_at: string | null;
  result_version: number | null;
  failure_reason: string | null;
  phase_state: string | null;
};

export const terminalPhases: readonly RoundPhase[] = ['published', 'failed'];

export function settingsOf(round: RoundRow): RoundSettings {
  return roundSettings.parse(JSON.parse(round.settings));
}

export function roundViewOf(round: RoundRow): RoundView {
  return {
    id: round.id,
    phase: round.phase,
    modelVersion: round.model_version,
    settings: settingsOf(round),
    openedAt: round.opened_at,
    phaseDeadline: round.phase_deadline,
    resultVersion: round.result_version,
    failureReason: round.failure_reason,
  };
}

export function getRound(db: Db, id: number): RoundRow | undefined {
  return db.prepare<[number], RoundRow>('SELECT * FROM rounds WHERE id = ?').get(id);
}

export function activeRound(db: Db): RoundRow | undefined {
  return db
    .prepare<[], RoundRow>(
      "SELECT * FROM rounds WHERE phase NOT IN ('published','failed') ORDER BY id DESC LIMIT 1",
    )
    .get();
}

export function latestRound(db: Db): RoundRow | undefined {
  return db.prepare<[], RoundRow>('SELECT * FROM rounds ORDER BY id DESC LIMIT 1').get();
}

export function listRounds(db: Db, limit: number): RoundRow[] {
  return db.prepare<[number], RoundRow>('SELECT * FROM rounds ORDER BY id DESC LIMIT ?').all(limit);
}

export function insertRound(
  db: Db,
  round: { modelVersion: number; settings: RoundSettings; trigger: RoundRow['trigger'] },
  now: Date,
): RoundRow {
  const info = db
    .prepare(
      `INSERT INTO rounds (phase, model_version, settings, trigger, opened_at, phase_log)
       VALUES ('open', ?, ?, ?, ?, ?)`,
    )
    .run(
      round.modelVersion,
      JSON.stringify(round.settings),
      round.trigger,
      now.toISOString(),
      JSON.stringify([{ phase: 'open', at: now.toISOString() }]),
    );
  return getRound(db, Number(info.lastInsertRowid))!;
}

/** Moves a round to a phase; compare-and-set on the old phase so two timers cannot both advance it. */
export function setPhase(
  db: Db,
  id: number,
  from: RoundPhase,
  to: RoundPhase,
  fields: { deadline: Date | null; resultVersion?: number; failureReason?: string },
  now: Date,
): boolean {
  const round = getRound(db, id);
  if (!round || round.phase !== from) return false;
  const log = JSON.parse(round.phase_log) as { phase: RoundPhase; at: string }[];
  log.push({ phase: to, at: now.toISOString() });
  const terminal = terminalPhases.includes(to);
  // A failed round aggregates nothing, so it keeps no individual update either.
  if (to === 'failed') dropUpdatePayloads(db, id);
  return (
    db
      .prepare(
        `UPDATE rounds SET phase = ?, phase_deadline = ?, phase_log = ?, closed_at = ?,
           result_version = COALESCE(?, result_version), failure_reason = COALESCE(?, failure_reason)
         WHERE id = ? AND phase = ?`,
      )
      .run(
        to,
        fields.deadline ? fields.deadline.toISOString() : null,
        JSON.stringify(log),
        terminal ? now.toISOString() : null,
        fields.resultVersion ?? null,
        fields.failureReason ?? null,
        id,
        from,
      ).changes === 1
  );
}

export function setPhaseState(db: Db, id: number, state: unknown): void {
  db.prepare('UPDATE rounds SET phase_state = ? WHERE id = ?').run(JSON.stringify(state), id);
}

export function checkIn(db: Db, roundId: number, shopId: string, now: Date): void {
  db.prepare(
    'INSERT OR IGNORE INTO round_participants (round_id, shop_id, checked_in_at) VALUES (?, ?, ?)',
  ).run(roundId, shopId, now.toISOString());
}

export type UpdateRow = {
  round_id: number;
  shop_id: string;
  payload_sha256: string;
  sample_count: number;
  weight: number;
  norm: number;
  bytes: number;
  delta: Buffer | null;
  received_at: string;
};

export function getUpdate(db: Db, roundId: number, shopId: string): UpdateRow | undefined {
  return db
    .prepare<[number, string], UpdateRow>(
      'SELECT * FROM updates WHERE round_id = ? AND shop_id = ?',
    )
    .get(roundId, shopId);
}

export function insertUpdate(db: Db, row: UpdateRow): void {
  db.prepare(
    `INSERT INTO updates (round_id, shop_id, payload_sha256, sample_count, weight, norm, bytes, delta, received_at)
     VALUES (@round_id, @shop_id, @payload_sha256, @sample_count, @weight, @norm, @bytes, @delta, @received_at)`,
  ).run(row);
  checkIn(db, row.round_id, row.shop_id, new Date(row.received_at));
  db.prepare(
    'UPDATE round_participants SET uploaded_at = ? WHERE round_id = ? AND shop_id = ?',
  ).run(row.received_at, row.round_id, row.shop_id);
}

export function updatesOf(db: Db, roundId: number): UpdateRow[] {
  return db
    .prepare<[number], UpdateRow>('SELECT * FROM updates WHERE round_id = ? ORDER BY shop_id')
    .all(roundId);
}

/** After aggregation the individual updates are no longer needed: keep only hash and norm. */
export function dropUpdatePayloads(db: Db, roundId: number): void {
  db.prepare('UPDATE updates SET delta = NULL WHERE round_id = ?').run(roundId);
}

export function participationOf(
  db: Db,
  roundId: number,
): { participants: number; uploads: number } {
  return db
    .prepare<[number], { participants: number; uploads: number }>(
      'SELECT COUNT(*) AS participants, COUNT(uploaded_at) AS uploads FROM round_participants WHERE round_id = ?',
    )
    .get(roundId)!;
}
