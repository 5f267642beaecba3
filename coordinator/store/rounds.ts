import { randomUUID } from 'node:crypto';
import {
  roundSettings,
  type RoundPhase,
  type RoundSettings,
  type RoundView,
} from '../../federated/protocol/index.ts';
import { powerOfTwoChunks, rowLock, type Sql, type Tx } from './sql.ts';

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
  /**
   * Names the stored phase_state (a fresh random value each time it is written); null: none.
   * The state itself is not part of the row: at thousands of shops it is hundreds of kilobytes,
   * and requests read it through phaseStateOf only when their cached copy is of another tag.
   */
  phase_state_tag: string | null;
};

const roundColumns =
  'id, phase, model_version, settings, trigger, opened_at, phase_deadline, phase_log, closed_at, result_version, failure_reason, phase_state_tag';

export const terminalPhases: readonly RoundPhase[] = ['published', 'failed'];

// A round's settings are read on every request of the round and never change after it opens:
// each text is parsed and validated once. Frozen, so no caller can change another's copy.
const parsedSettings = new Map<string, RoundSettings>();

export function settingsOf(round: RoundRow): RoundSettings {
  let settings = parsedSettings.get(round.settings);
  if (!settings) {
    if (parsedSettings.size >= 256) parsedSettings.clear();
    settings = deepFreeze(roundSettings.parse(JSON.parse(round.settings)));
    parsedSettings.set(round.settings, settings);
  }
  return settings;
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object') {
    for (const inner of Object.values(value)) deepFreeze(inner);
    Object.freeze(value);
  }
  return value;
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

/**
 * One round. Inside a transaction, `lock` holds its row until the end: `update` for a phase
 * change or any read-modify-write of the round, `share` for work that a phase change must not
 * overlap (an upload). On PostgreSQL that is what keeps several coordinators consistent.
 */
export async function getRound(
  sql: Sql,
  id: number,
  lock?: 'update' | 'share',
): Promise<RoundRow | undefined> {
  return sql.get<RoundRow>(`SELECT ${roundColumns} FROM rounds WHERE id = ?${rowLock(sql, lock)}`, [
    id,
  ]);
}

export async function activeRound(sql: Sql): Promise<RoundRow | undefined> {
  return sql.get<RoundRow>(
    `SELECT ${roundColumns} FROM rounds WHERE phase NOT IN ('published','failed') ORDER BY id DESC LIMIT 1`,
  );
}

export async function latestRound(sql: Sql): Promise<RoundRow | undefined> {
  return sql.get<RoundRow>(`SELECT ${roundColumns} FROM rounds ORDER BY id DESC LIMIT 1`);
}

export async function listRounds(sql: Sql, limit: number): Promise<RoundRow[]> {
  return sql.all<RoundRow>(`SELECT ${roundColumns} FROM rounds ORDER BY id DESC LIMIT ?`, [limit]);
}

export async function insertRound(
  sql: Sql,
  round: {
    modelVersion: number;
    settings: RoundSettings;
    trigger: RoundRow['trigger'];
    deadline?: Date | null;
  },
  now: Date,
): Promise<RoundRow> {
  const row = await sql.get<RoundRow>(
    `INSERT INTO rounds (phase, model_version, settings, trigger, opened_at, phase_deadline, phase_log)
     VALUES ('open', ?, ?, ?, ?, ?, ?) RETURNING *`,
    [
      round.modelVersion,
      JSON.stringify(round.settings),
      round.trigger,
      now.toISOString(),
      round.deadline ? round.deadline.toISOString() : null,
      JSON.stringify([{ phase: 'open', at: now.toISOString() }]),
    ],
  );
  return row!;
}

/**
 * Moves a round to a phase: compare-and-set on the old phase, so two timers (or two
 * coordinators) cannot both advance it. Call it inside a transaction holding the round's row.
 */
export async function setPhase(
  tx: Tx,
  id: number,
  from: RoundPhase,
  to: RoundPhase,
  fields: { deadline: Date | null; resultVersion?: number; failureReason?: string },
  now: Date,
): Promise<boolean> {
  const round = await getRound(tx, id, 'update');
  if (!round || round.phase !== from) return false;
  const log = JSON.parse(round.phase_log) as { phase: RoundPhase; at: string }[];
  log.push({ phase: to, at: now.toISOString() });
  const terminal = terminalPhases.includes(to);
  // A failed round aggregates nothing, so it keeps no individual update either.
  if (to === 'failed') await dropUpdatePayloads(tx, id);
  const changed = await tx.run(
    `UPDATE rounds SET phase = ?, phase_deadline = ?, phase_log = ?, closed_at = ?,
       result_version = COALESCE(?, result_version), failure_reason = COALESCE(?, failure_reason)
     WHERE id = ? AND phase = ?`,
    [
      to,
      fields.deadline ? fields.deadline.toISOString() : null,
      JSON.stringify(log),
      terminal ? now.toISOString() : null,
      fields.resultVersion ?? null,
      fields.failureReason ?? null,
      id,
      from,
    ],
  );
  return changed === 1;
}

export async function setPhaseState(sql: Sql, id: number, state: unknown): Promise<void> {
  await sql.run('UPDATE rounds SET phase_state = ?, phase_state_tag = ? WHERE id = ?', [
    JSON.stringify(state),
    randomUUID(),
    id,
  ]);
}

/** A round's stored phase state with its tag (read inside the caller's transaction, if any). */
export async function phaseStateOf(
  sql: Sql,
  id: number,
): Promise<{ phase_state: string | null; phase_state_tag: string | null } | undefined> {
  return sql.get('SELECT phase_state, phase_state_tag FROM rounds WHERE id = ?', [id]);
}

export async function checkIn(sql: Sql, roundId: number, shopId: string, now: Date): Promise<void> {
  await sql.run(
    `INSERT INTO round_participants (round_id, shop_id, checked_in_at) VALUES (?, ?, ?)
     ON CONFLICT (round_id, shop_id) DO NOTHING`,
    [roundId, shopId, now.toISOString()],
  );
}

export async function markUploaded(
  sql: Sql,
  roundId: number,
  shopId: string,
  at: string,
): Promise<void> {
  await sql.run(
    'UPDATE round_participants SET uploaded_at = ? WHERE round_id = ? AND shop_id = ?',
    [at, roundId, shopId],
  );
}

/** When a shop's secure upload was first accepted (its receipt), or null. */
export async function uploadedAt(
  sql: Sql,
  roundId: number,
  shopId: string,
): Promise<string | null> {
  const row = await sql.get<{ uploaded_at: string | null }>(
    'SELECT uploaded_at FROM round_participants WHERE round_id = ? AND shop_id = ?',
    [roundId, shopId],
  );
  return row?.uploaded_at ?? null;
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

export type UploadReceipt = { payload_sha256: string; received_at: string };

/** What a repeated upload is compared with: the stored update's hash and arrival, not its payload. */
export async function uploadReceipt(
  sql: Sql,
  roundId: number,
  shopId: string,
): Promise<UploadReceipt | undefined> {
  return sql.get<UploadReceipt>(
    'SELECT payload_sha256, received_at FROM updates WHERE round_id = ? AND shop_id = ?',
    [roundId, shopId],
  );
}

/** The receipts of those of these shops that uploaded to the round, by shop. */
export async function uploadReceipts(
  sql: Sql,
  roundId: number,
  shopIds: readonly string[],
): Promise<Map<string, UploadReceipt>> {
  const found = new Map<string, UploadReceipt>();
  for (const chunk of powerOfTwoChunks([...new Set(shopIds)])) {
    const rows = await sql.all<UploadReceipt & { shop_id: string }>(
      `SELECT shop_id, payload_sha256, received_at FROM updates
       WHERE round_id = ? AND shop_id IN (${chunk.map(() => '?').join(', ')})`,
      [roundId, ...chunk],
    );
    for (const { shop_id: shopId, ...receipt } of rows) found.set(shopId, receipt);
  }
  return found;
}

/** Whether the shop's update for the round is stored, without reading its payload. */
export async function hasUpdate(sql: Sql, roundId: number, shopId: string): Promise<boolean> {
  return (await uploadReceipt(sql, roundId, shopId)) !== undefined;
}

/**
 * Stores updates and marks their shops as uploaded. Idempotent: the primary key (round, shop)
 * keeps the first of two copies arriving at once; returns the rows actually inserted, so the
 * caller can answer the others from what is stored. Takes a list so a caller may group
 * several uploads into one transaction, written with a few multi-row statements rather than
 * three per upload: on PostgreSQL each statement is a round trip made while the round is locked.
 */
export async function insertUpdates(tx: Tx, rows: readonly UpdateRow[]): Promise<UpdateRow[]> {
  const key = (roundId: number, shopId: string) => `${roundId} ${shopId}`;
  const first = new Map<string, UpdateRow>();
  for (const row of rows)
    if (!first.has(key(row.round_id, row.shop_id))) first.set(key(row.round_id, row.shop_id), row);
  const inserted: UpdateRow[] = [];
  for (const chunk of powerOfTwoChunks([...first.values()])) {
    const stored = await tx.all<{ round_id: number; shop_id: string }>(
      `INSERT INTO updates (round_id, shop_id, payload_sha256, sample_count, weight, norm, bytes, delta, received_at)
       VALUES ${chunk.map(() => '(?, ?, ?, ?, ?, ?, ?, ?, ?)').join(', ')}
       ON CONFLICT (round_id, shop_id) DO NOTHING RETURNING round_id, shop_id`,
      chunk.flatMap((row) => [
        row.round_id,
        row.shop_id,
        row.payload_sha256,
        row.sample_count,
        row.weight,
        row.norm,
        row.bytes,
        row.delta,
        row.received_at,
      ]),
    );
    const storedKeys = new Set(stored.map((row) => key(row.round_id, row.shop_id)));
    const fresh = chunk.filter((row) => storedKeys.has(key(row.round_id, row.shop_id)));
    // A shop that uploads has checked in: its participation row is created or marked uploaded.
    for (const part of powerOfTwoChunks(fresh))
      await tx.run(
        `INSERT INTO round_participants (round_id, shop_id, checked_in_at, uploaded_at)
         VALUES ${part.map(() => '(?, ?, ?, ?)').join(', ')}
         ON CONFLICT (round_id, shop_id) DO UPDATE SET uploaded_at = excluded.uploaded_at`,
        part.flatMap((row) => [row.round_id, row.shop_id, row.received_at, row.received_at]),
      );
    inserted.push(...fresh);
  }
  return inserted;
}

export async function insertUpdate(tx: Tx, row: UpdateRow): Promise<boolean> {
  return (await insertUpdates(tx, [row])).length === 1;
}

/** After aggregation the individual updates are no longer needed: keep only hash and norm. */
export async function dropUpdatePayloads(sql: Sql, roundId: number): Promise<void> {
  await sql.run('UPDATE updates SET delta = NULL WHERE round_id = ?', [roundId]);
}

export async function participationOf(
  sql: Sql,
  roundId: number,
): Promise<{ participants: number; uploads: number }> {
  return (await sql.get<{ participants: number; uploads: number }>(
    'SELECT COUNT(*) AS participants, COUNT(uploaded_at) AS uploads FROM round_participants WHERE round_id = ?',
    [roundId],
  ))!;
}

/**
 * Shops that uploaded a plain update to the round or said their policy skips it, and shops
 * enrolled (not revoked): one statement, as the plain round asks it after bursts of uploads.
 */
export async function answeredOf(
  sql: Sql,
  roundId: number,
): Promise<{ answered: number; active: number }> {
  return (await sql.get<{ answered: number; active: number }>(
    // Both counts read only the primary-key indexes (a plain upload is one row of `updates`).
    `SELECT (SELECT COUNT(*) FROM updates WHERE round_id = ?)
          + (SELECT COUNT(*) FROM round_refusals WHERE round_id = ?) AS answered,
            (SELECT COUNT(*) FROM shops WHERE revoked_at IS NULL) AS active`,
    [roundId, roundId],
  ))!;
}

/** Checked-in shops that never uploaded: dropouts in `phase`, shown as such on the dashboard. */
export async function markDropouts(sql: Sql, roundId: number, phase: RoundPhase): Promise<void> {
  await sql.run(
    'UPDATE round_participants SET dropped_in = ? WHERE round_id = ? AND uploaded_at IS NULL AND dropped_in IS NULL',
    [phase, roundId],
  );
}

/** Marks one shop as dropped out in `phase`, unless it already dropped earlier. */
export async function markDropped(
  sql: Sql,
  roundId: number,
  shopId: string,
  phase: string,
): Promise<void> {
  await sql.run(
    'UPDATE round_participants SET dropped_in = ? WHERE round_id = ? AND shop_id = ? AND dropped_in IS NULL',
    [phase, roundId, shopId],
  );
}

/**
 * Claims one slot of the nightly schedule for this coordinator instance: true for exactly one
 * of the instances that try (the slot is the primary key).
 */
export async function claimScheduledRun(
  sql: Sql,
  slot: string,
  instance: string,
  now: Date,
): Promise<boolean> {
  const inserted = await sql.run(
    `INSERT INTO scheduled_runs (slot, claimed_by, claimed_at) VALUES (?, ?, ?)
     ON CONFLICT (slot) DO NOTHING`,
    [slot, instance, now.toISOString()],
  );
  return inserted === 1;
}

/** The running round's phase and deadline, without its settings or state: what a watcher polls. */
export async function activeRoundPhase(
  sql: Sql,
): Promise<Pick<RoundRow, 'id' | 'phase' | 'phase_deadline'> | undefined> {
  return sql.get(
    "SELECT id, phase, phase_deadline FROM rounds WHERE phase NOT IN ('published','failed') ORDER BY id DESC LIMIT 1",
  );
}
