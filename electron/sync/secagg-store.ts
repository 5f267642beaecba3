/**
 * What a shop remembers of one secure round, in its own database. The SecAgg state is written
 * (with the message it is about to send) in one transaction BEFORE the message leaves, so a
 * restarted app resends the very same bytes and can never answer two different survivor sets:
 * the state carries which secret of every shop it has revealed.
 */
import type { ClientState } from '../../federated/secagg/round-types.ts';
import type { Db } from '../store/database.ts';
import type { RequestMeta } from './ledger.ts';

export type OutgoingKind = 'advertise' | 'shares' | 'masked' | 'confirm' | 'unmask';

export type Outgoing = {
  path: string;
  /** JSON text, or base64 of a binary body (`binary`), kept byte-exact for every resend. */
  body: string;
  binary?: boolean;
  kind: OutgoingKind;
  /** Its ledger line (and, for the masked upload, the round's charge), the same on every resend. */
  meta: RequestMeta;
};

export type PersistedRound = {
  client: ClientState;
  outgoing: Outgoing | null;
  /** Set when this shop stopped taking part because the round broke the protocol. */
  refused?: { code: string; message: string };
};

const stateKey = (roundId: number) => `secagg.round.${roundId}`;

export function loadRound(db: Db, roundId: number): PersistedRound | null {
  const row = db
    .prepare<[string], { value: string }>('SELECT value FROM settings WHERE key = ?')
    .get(stateKey(roundId));
  if (!row) return null;
  const round = JSON.parse(row.value) as PersistedRound;
  // A state of the earlier, passive protocol cannot take part in this one.
  return round.client?.version === 2 ? round : null;
}

/** Written in its own transaction: the caller sends only after this returns. */
export function saveRound(db: Db, roundId: number, round: PersistedRound): void {
  db.transaction(() => {
    db.prepare(
      'INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value',
    ).run(stateKey(roundId), JSON.stringify(round));
  })();
}

export function deleteRound(db: Db, roundId: number): void {
  db.prepare('DELETE FROM settings WHERE key = ?').run(stateKey(roundId));
}

/**
 * Drops the SecAgg state of every round but the running one (a shop that was off when a round
 * ended never saw it finish). null: no round running.
 */
export function forgetFinishedSecureRounds(db: Db, runningRoundId: number | null): number {
  const keep = runningRoundId === null ? '' : stateKey(runningRoundId);
  return db.prepare("DELETE FROM settings WHERE key LIKE 'secagg.round.%' AND key <> ?").run(keep)
    .changes;
}
