/**
 * What a shop remembers of one secure round, in its own database. The SecAgg state is written
 * (with the message it is about to send) in one transaction BEFORE the message leaves, so a
 * restarted app resends the very same bytes and can never answer two different survivor sets:
 * the state carries which secret of every shop it has revealed.
 */
import type { ClientState, RosterEntry } from '../../federated/secagg/round-types.ts';
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
// The roster this shop verified has its own row, written once with the state that first holds
// it: a poll reads only the small state. The row keeps what the steps after sharing read: every
// member's id and identity key (survivor checks, confirmation signatures) and the whole line of
// this shop and its neighbours (their mask keys) — about 70 bytes a member instead of the ~400 of a
// signed line, which at 10,000 shops is 0.7 MB a bakery instead of 4 MB.
const rosterKey = (roundId: number) => `secagg.roster.${roundId}`;

const read = (db: Db, key: string) =>
  db.prepare<[string], { value: string }>('SELECT value FROM settings WHERE key = ?').get(key)
    ?.value;

/**
 * This shop's state of a round; `roster: false` leaves out the roster it verified (a poll needs
 * only the phase and the message still to send).
 */
export function loadRound(
  db: Db,
  roundId: number,
  options: { roster: boolean } = { roster: true },
): PersistedRound | null {
  const value = read(db, stateKey(roundId));
  if (!value) return null;
  const round = JSON.parse(value) as PersistedRound;
  // A state of the earlier, passive protocol cannot take part in this one.
  if (round.client?.version !== 2) return null;
  return options.roster ? withRoster(db, roundId, round) : round;
}

/** What the roster row holds (older rows held the whole signed roster as `roster`). */
export type StoredRoster = {
  rosterHash: string;
  ids?: string[];
  identityKeys?: string[];
  lines?: RosterEntry[];
  roster?: RosterEntry[];
};

export function storedRoster(client: ClientState, roster: RosterEntry[]): StoredRoster {
  const whole = new Set([client.shopId, ...(client.neighbours ?? [])]);
  return {
    rosterHash: client.rosterHash!,
    ids: roster.map((e) => e.shopId),
    identityKeys: roster.map((e) => e.identityKey),
    lines: roster.filter((e) => whole.has(e.shopId)),
  };
}

/**
 * The roster back in its verified order. Members that are not this shop's neighbours come back
 * with their id and identity key only (the other fields empty): no step after sharing reads more
 * of them — masks, shares and pairwise keys concern neighbours alone.
 */
export function rosterOf(stored: StoredRoster): RosterEntry[] {
  if (stored.roster) return stored.roster;
  const lines = new Map(stored.lines!.map((e) => [e.shopId, e]));
  const keys = stored.identityKeys!;
  return stored.ids!.map(
    (shopId, i) =>
      lines.get(shopId) ?? {
        shopId,
        identityKey: keys[i]!,
        maskKey: '',
        shareKeysRoot: '',
        shareKeyCount: 0,
        senderKey: '',
        signature: '',
      },
  );
}

/** The state with the roster it verified, when it holds one. */
export function withRoster(db: Db, roundId: number, round: PersistedRound): PersistedRound {
  if (round.client.roster || !round.client.rosterHash) return round;
  const value = read(db, rosterKey(roundId));
  if (!value)
    throw new Error(`the roster of secure round ${roundId} is missing from the shop database`);
  const stored = JSON.parse(value) as StoredRoster;
  if (stored.rosterHash !== round.client.rosterHash)
    throw new Error(
      `the stored roster of secure round ${roundId} is not the one this shop verified`,
    );
  return { ...round, client: { ...round.client, roster: rosterOf(stored) } };
}

/** Written in its own transaction: the caller sends only after this returns. */
export function saveRound(db: Db, roundId: number, round: PersistedRound): void {
  const { roster, ...client } = round.client;
  const put = db.prepare(
    'INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value',
  );
  db.transaction(() => {
    // The roster never changes once verified (its hash is in the state): written the first time.
    if (roster && read(db, rosterKey(roundId)) === undefined)
      put.run(rosterKey(roundId), JSON.stringify(storedRoster(round.client, roster)));
    put.run(stateKey(roundId), JSON.stringify({ ...round, client }));
  })();
}

export function deleteRound(db: Db, roundId: number): void {
  db.prepare('DELETE FROM settings WHERE key IN (?, ?)').run(stateKey(roundId), rosterKey(roundId));
}

/**
 * Drops the SecAgg state of every round but the running one (a shop that was off when a round
 * ended never saw it finish). null: no round running.
 */
export function forgetFinishedSecureRounds(db: Db, runningRoundId: number | null): number {
  const keep =
    runningRoundId === null ? ['', ''] : [stateKey(runningRoundId), rosterKey(runningRoundId)];
  db.prepare("DELETE FROM settings WHERE key LIKE 'secagg.roster.%' AND key <> ?").run(keep[1]);
  return db
    .prepare("DELETE FROM settings WHERE key LIKE 'secagg.round.%' AND key <> ?")
    .run(keep[0]).changes;
}
