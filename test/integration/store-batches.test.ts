import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { ensureInitialModel } from '../../coordinator/rounds/initial-model.ts';
import { acceptPlainUpdate, batchedUploadPath } from '../../coordinator/rounds/plain-upload.ts';
import { checkIn, insertRound } from '../../coordinator/store/rounds.ts';
import { createInvite, enrolShop, touchShops } from '../../coordinator/store/shops.ts';
import type { CoordinatorStore } from '../../coordinator/store/sql.ts';
import {
  encodeFloat32,
  generateShopKeyPair,
  roundSettings,
  sha256Hex,
} from '../../federated/protocol/index.ts';
import { postgresTarget, sqliteTarget } from '../support/store-targets.ts';

/**
 * The multi-row statements of the upload path (one per batch instead of several per upload),
 * on both stores: what a burst of uploads arriving in one turn of the event loop writes.
 */
const targets = [sqliteTarget(), postgresTarget()];
const silent = pino({ level: 'silent' });

function updateBody(values: number[]) {
  const delta = encodeFloat32(Float32Array.from(values));
  return {
    modelVersion: 1,
    parameterCount: values.length,
    sampleCount: 10,
    encoding: 'f32le-base64' as const,
    delta,
    sha256: sha256Hex(Buffer.from(delta, 'base64')),
  };
}

async function enrolShops(store: CoordinatorStore, count: number): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < count; i++) {
    const inviteCode = await createInvite(
      store,
      { expiresAt: new Date(Date.now() + 3600_000), operatorId: null },
      new Date(),
    );
    const outcome = await enrolShop(
      store,
      {
        inviteCode,
        shopName: `Shop ${i}`,
        appVersion: '1.0.0',
        publicKey: generateShopKeyPair().publicKey,
      },
      new Date(),
    );
    if (!outcome.ok) throw new Error(outcome.reason);
    ids.push(outcome.shop.id);
  }
  return ids;
}

for (const target of targets) {
  describe.skipIf(target.skip)(`batched writes on the ${target.kind} store`, () => {
    const open: CoordinatorStore[] = [];
    beforeAll(() => target.start(), 120_000);
    afterAll(async () => {
      for (const store of open) await store.close().catch(() => undefined);
      await target.stop();
    });

    it('stores each shop’s first update of a burst once, answers its copy as a duplicate and a different one with 409, and marks the shops uploaded', async () => {
      const { store } = await target.fresh();
      open.push(store);
      const shops = await enrolShops(store, 6);
      await ensureInitialModel(store, () => new Float32Array(4), silent, new Date());
      const round = await insertRound(
        store,
        {
          modelVersion: 1,
          settings: roundSettings.parse({ mode: 'plain', minShops: 99, clipNorm: 10 }),
          trigger: 'cli',
        },
        new Date(),
      );
      await store.run("UPDATE rounds SET phase = 'collect' WHERE id = ?", [round.id]);
      // The first shop checked in an hour ago: its check-in time is kept when it uploads.
      const checkedIn = new Date(Date.now() - 3600_000);
      await checkIn(store, round.id, shops[0]!, checkedIn);

      const path = batchedUploadPath(store);
      const now = new Date();
      const send = (shopId: string, values: number[]) =>
        acceptPlainUpdate(store, { roundId: round.id, shopId, body: updateBody(values) }, now, path)
          .then((answer) => ({ ok: true as const, answer }))
          .catch((error: { code?: string }) => ({ ok: false as const, code: error.code }));
      // All in one turn: one batch of reads and one commit for the lot.
      const outcomes = await Promise.all([
        ...shops.map((shopId, i) => send(shopId, [0.1 * i, 0, 0, 0])),
        send(shops[1]!, [0.1, 0, 0, 0]), // the same update again
        send(shops[2]!, [0.5, 0.5, 0, 0]), // a different second update
      ]);
      const accepted = outcomes.filter((o) => o.ok);
      expect(accepted.filter((o) => o.ok && !o.answer.duplicate)).toHaveLength(shops.length);
      expect(accepted.filter((o) => o.ok && o.answer.duplicate)).toHaveLength(1);
      expect(outcomes.filter((o) => !o.ok).map((o) => !o.ok && o.code)).toEqual([
        'already-uploaded',
      ]);

      const stored = await store.all<{ shop_id: string; payload_sha256: string }>(
        'SELECT shop_id, payload_sha256 FROM updates WHERE round_id = ? ORDER BY shop_id',
        [round.id],
      );
      expect(stored).toEqual(
        shops
          .map((shopId, i) => ({
            shop_id: shopId,
            payload_sha256: updateBody([0.1 * i, 0, 0, 0]).sha256,
          }))
          .sort((a, b) => (a.shop_id < b.shop_id ? -1 : 1)),
      );
      const participants = await store.all<{
        shop_id: string;
        checked_in_at: string;
        uploaded_at: string | null;
      }>('SELECT shop_id, checked_in_at, uploaded_at FROM round_participants WHERE round_id = ?', [
        round.id,
      ]);
      expect(participants).toHaveLength(shops.length);
      for (const row of participants) {
        expect(row.uploaded_at).toBe(now.toISOString());
        expect(row.checked_in_at).toBe(
          row.shop_id === shops[0] ? checkedIn.toISOString() : now.toISOString(),
        );
      }

      // A later copy, in a turn of its own, gets the first answer from what is stored.
      const again = await send(shops[3]!, [0.3, 0, 0, 0]);
      expect(again).toMatchObject({ ok: true, answer: { duplicate: true } });
    });

    it('records the last visit of many shops in one statement, keeping an app version not announced', async () => {
      const { store } = await target.fresh();
      open.push(store);
      const shops = await enrolShops(store, 5);
      const at = new Date(Date.now() + 1000).toISOString();
      await touchShops(
        store,
        shops.map((shopId, i) => ({ shopId, at, appVersion: i % 2 ? `2.${i}.0` : null })),
      );
      const rows = await store.all<{ id: string; last_seen_at: string; app_version: string }>(
        'SELECT id, last_seen_at, app_version FROM shops',
      );
      expect(new Map(rows.map((row) => [row.id, row]))).toEqual(
        new Map(
          shops.map((id, i) => [
            id,
            { id, last_seen_at: at, app_version: i % 2 ? `2.${i}.0` : '1.0.0' },
          ]),
        ),
      );
    });
  });
}
