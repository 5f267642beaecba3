import type { RoundView } from '../../federated/protocol/index.ts';
import type { RefusalReason, RefusalReport } from '../../federated/protocol/privacy-policy.ts';
import type { Db } from '../store/database.ts';
import { enqueue } from '../sync/outbox.ts';
import { isCharged, roundKey, yearEpsilon } from './budget.ts';
import { rosterRefusals, settingsRefusals, type RosterFacts } from './policy-check.ts';
import { loadPrivacyPolicy } from './policy.ts';

export type Refusal = { roundId: number; stage: RefusalReport['stage']; reasons: RefusalReason[] };

type Row = { round_id: number; stage: RefusalReport['stage']; reasons: string };

export function refusalOf(db: Db, key: string): Refusal | null {
  const row = db
    .prepare<[string], Row>(
      'SELECT round_id, stage, reasons FROM round_refusals WHERE round_key = ?',
    )
    .get(key);
  return row
    ? {
        roundId: row.round_id,
        stage: row.stage,
        reasons: JSON.parse(row.reasons) as RefusalReason[],
      }
    : null;
}

/** Records the refusal and queues its report to the coordinator, in one transaction. */
function refuse(db: Db, key: string, refusal: Refusal, now: Date): Refusal {
  db.transaction(() => {
    const added = db
      .prepare(
        'INSERT OR IGNORE INTO round_refusals (round_key, round_id, decided_at, stage, reasons) VALUES (?, ?, ?, ?, ?)',
      )
      .run(key, refusal.roundId, now.toISOString(), refusal.stage, JSON.stringify(refusal.reasons));
    if (added.changes === 0) return;
    const report: RefusalReport = { stage: refusal.stage, reasons: refusal.reasons };
    enqueue(
      db,
      {
        kind: 'refusal',
        roundId: refusal.roundId,
        idempotencyKey: `refusal:${key}`,
        path: `/v1/rounds/${refusal.roundId}/refusal`,
        body: JSON.stringify(report),
        meta: {
          kind: 'refusal',
          roundId: refusal.roundId,
          details: { stage: refusal.stage, reasons: refusal.reasons.map((r) => r.code).join(',') },
        },
      },
      now,
    );
  })();
  return refusalOf(db, key)!;
}

/**
 * The settings stage, before this bakery's first message for a round and before each later
 * one until its update has left: a refusal already made stands, otherwise the round's
 * settings are checked against the policy. Returns the refusal, or null to go on.
 */
export function admitBySettings(
  db: Db,
  now: Date,
  coordinatorUrl: string,
  round: RoundView,
): Refusal | null {
  const key = roundKey(coordinatorUrl, round);
  const earlier = refusalOf(db, key);
  if (earlier) return earlier;
  const { mode, noiseMultiplier, minShops } = round.settings;
  const noise = mode === 'plain' ? 0 : noiseMultiplier;
  const epsilon = yearEpsilon(db, now, isCharged(db, key) ? undefined : { noiseMultiplier: noise });
  const reasons = settingsRefusals(
    loadPrivacyPolicy(db),
    { mode, noiseMultiplier, minShops },
    epsilon,
  );
  return reasons.length
    ? refuse(db, key, { roundId: round.id, stage: 'settings', reasons }, now)
    : null;
}

/** The roster stage: n and t as this bakery verified them, before anything derived from its data. */
export function admitByRoster(
  db: Db,
  now: Date,
  coordinatorUrl: string,
  round: RoundView,
  facts: RosterFacts,
): Refusal | null {
  const key = roundKey(coordinatorUrl, round);
  const earlier = refusalOf(db, key);
  if (earlier) return earlier;
  const reasons = rosterRefusals(loadPrivacyPolicy(db), facts);
  return reasons.length
    ? refuse(db, key, { roundId: round.id, stage: 'roster', reasons }, now)
    : null;
}
