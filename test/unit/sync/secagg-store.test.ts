import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openDatabase } from '../../../electron/store/database.ts';
import { loadRound, saveRound, type PersistedRound } from '../../../electron/sync/secagg-store.ts';
import type { ClientState, RosterEntry } from '../../../federated/secagg/round-types.ts';
import { tempDir } from '../../integration/coordinator-harness.ts';

/*
 * A shop of a large SecAgg+ round keeps, of the roster it verified, what its later steps read:
 * every member's id and identity key, and the whole lines of itself and its neighbours.
 */
const line = (i: number): RosterEntry => ({
  shopId: `shop_${String(i).padStart(4, '0')}`,
  identityKey: `identity-${i}`,
  maskKey: `mask-${i}`,
  shareKeysRoot: `root-${i}`,
  shareKeyCount: 3,
  senderKey: `sender-${i}`,
  signature: `signature-${i}`,
});

const roster = Array.from({ length: 40 }, (_, i) => line(i));
const me = roster[7]!.shopId;
const neighbours = [roster[3]!.shopId, roster[20]!.shopId, roster[39]!.shopId];

const client = {
  version: 2,
  shopId: me,
  phase: 'shared',
  roster,
  rosterHash: 'hash-of-the-roster',
  neighbours,
  disclosed: {},
} as unknown as ClientState;

describe('the verified roster in the shop database', () => {
  it('keeps every id and identity key, and whole lines only for this shop and its neighbours', () => {
    const db = openDatabase(join(tempDir('breadcast-secagg-store-'), 'shop.db'));
    const round: PersistedRound = { client, outgoing: null };
    saveRound(db, 5, round);

    const small = loadRound(db, 5, { roster: false })!;
    expect(small.client.roster).toBeUndefined();

    const back = loadRound(db, 5)!.client.roster!;
    expect(back.map((e) => e.shopId)).toEqual(roster.map((e) => e.shopId));
    expect(back.map((e) => e.identityKey)).toEqual(roster.map((e) => e.identityKey));
    for (const entry of back) {
      const whole = entry.shopId === me || neighbours.includes(entry.shopId);
      if (whole) expect(entry).toEqual(roster.find((e) => e.shopId === entry.shopId));
      else expect(entry.maskKey).toBe('');
    }
    // Stored: ids and keys of 40 members, 4 whole lines — not the 40 signed lines.
    const stored = db
      .prepare<[], { value: string }>("SELECT value FROM settings WHERE key = 'secagg.roster.5'")
      .get()!.value;
    expect(stored.length).toBeLessThan(JSON.stringify(roster).length / 2);
    db.close();
  });

  it('still reads a row that holds the whole signed roster', () => {
    const db = openDatabase(join(tempDir('breadcast-secagg-store-'), 'shop.db'));
    saveRound(db, 6, { client, outgoing: null });
    db.prepare('UPDATE settings SET value = ? WHERE key = ?').run(
      JSON.stringify({ rosterHash: 'hash-of-the-roster', roster }),
      'secagg.roster.6',
    );
    expect(loadRound(db, 6)!.client.roster).toEqual(roster);
    db.close();
  });
});
