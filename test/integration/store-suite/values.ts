/** Values, transactions and concurrent writes: what both stores must return and keep alike. */
import { expect, it } from 'vitest';
import { ensureInitialModel } from '../../../coordinator/rounds/initial-model.ts';
import { acceptPlainUpdate } from '../../../coordinator/rounds/plain-upload.ts';
import { getModel, insertModel } from '../../../coordinator/store/models.ts';
import { insertRound } from '../../../coordinator/store/rounds.ts';
import { getSetting, putSetting } from '../../../coordinator/store/settings.ts';
import { createInvite, enrolShop, useNonce } from '../../../coordinator/store/shops.ts';
import type { CoordinatorStore } from '../../../coordinator/store/sql.ts';
import { generateShopKeyPair, roundSettings } from '../../../federated/protocol/index.ts';
import { addFigures, at, enrol } from '../../support/coordinator-history.ts';
import { type SuiteContext, silent, updateBody, collecting } from './context.ts';

export function valuesCases({ target, fresh, connect }: SuiteContext): void {
  it('returns integers, large counters, floats, bytes, text and nulls as the same JavaScript values', async () => {
    const { store } = await fresh();
    const weights = Float32Array.from([1.5, -2, 3.25]);
    const model = await store.transaction((tx) =>
      insertModel(tx, { weights, roundId: null, parentVersion: null, settings: null }, at(0)),
    );
    const stored = (await getModel(store, model.version))!;
    expect(stored).toMatchObject({ version: 1, round_id: null, parameter_count: 3 });
    expect(Buffer.isBuffer(stored.weights)).toBe(true);
    expect([...new Float32Array(new Uint8Array(stored.weights).buffer)]).toEqual([1.5, -2, 3.25]);

    const shop = await enrol(store, 'Counter', at(0));
    const expiresAt = 1_764_000_000_123;
    expect(await useNonce(store, shop, 'n'.repeat(16), expiresAt)).toBe(true);
    const nonce = await store.get<{ expires_at: unknown }>('SELECT expires_at FROM nonces');
    expect(nonce!.expires_at).toBe(expiresAt);

    // Sums past 2^31 stay exact numbers; doubles stay doubles.
    await enrol(store, 'Other', at(1));
    for (let i = 0; i < 2; i++) await addFigures(store, 1, 2e9, 0.25, 0.5);
    expect(await store.get('SELECT * FROM model_metrics')).toEqual({
      version: 1,
      reports: 2,
      n: 4e9,
      pinball_sum: 1e9,
      wape_sum: 2e9,
    });
    expect(await store.get('SELECT COUNT(*) AS c, MAX(name) AS m FROM shops')).toEqual({
      c: 2,
      m: 'Other',
    });
    expect(await store.get("SELECT 'is it?' AS q, ? AS p, NULL AS absent", ['what?'])).toEqual({
      q: 'is it?',
      p: 'what?',
      absent: null,
    });
  });

  it('commits a transaction, rolls back one that throws, and rolls back only the inner savepoint', async () => {
    const { store } = await fresh();
    await store.transaction((tx) => putSetting(tx, 'kept', 1));
    await expect(
      store.transaction(async (tx) => {
        await putSetting(tx, 'lost', 1);
        throw new Error('refused');
      }),
    ).rejects.toThrow('refused');
    let leaked: Parameters<Parameters<CoordinatorStore['transaction']>[0]>[0] | undefined;
    await store.transaction(async (tx) => {
      leaked = tx;
      await putSetting(tx, 'outer', 1);
      await expect(
        tx.transaction(async (inner) => {
          await putSetting(inner, 'inner', 1);
          throw new Error('inner refused');
        }),
      ).rejects.toThrow('inner refused');
      await putSetting(tx, 'after', 1);
    });
    const keys = await store.all<{ key: string }>('SELECT key FROM settings ORDER BY key');
    expect(keys.map((row) => row.key)).toEqual(['after', 'kept', 'outer']);
    await expect(leaked!.get('SELECT 1 AS one')).rejects.toThrow(/already ended/);
  });

  it('loses no update when twenty read-modify-write transactions run at once under a named lock', async () => {
    const { store, database } = await fresh();
    const other = target.kind === 'postgres' ? await connect(database) : store;
    await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        (i % 2 ? other : store).transaction(async (tx) => {
          await tx.lock('counter');
          const value = (await getSetting<number>(tx, 'counter')) ?? 0;
          await new Promise((resolve) => setTimeout(resolve, 2));
          await putSetting(tx, 'counter', value + 1);
        }),
      ),
    );
    expect(await getSetting(store, 'counter')).toBe(20);
  });

  it('numbers model versions without gaps or duplicates when several are stored at once', async () => {
    const { store, database } = await fresh();
    const other = target.kind === 'postgres' ? await connect(database) : store;
    const versions = await Promise.all(
      Array.from({ length: 6 }, (_, i) =>
        (i % 2 ? other : store).transaction(async (tx) => {
          const row = await insertModel(
            tx,
            {
              weights: new Float32Array([i]),
              roundId: null,
              parentVersion: null,
              settings: null,
            },
            at(i),
          );
          return row.version;
        }),
      ),
    );
    expect([...versions].sort()).toEqual([1, 2, 3, 4, 5, 6]);
  });

  it('enrols one shop per invite, accepts a nonce once and stores one update per shop, however many arrive at once', async () => {
    const { store, database } = await fresh();
    const other = target.kind === 'postgres' ? await connect(database) : store;
    const pick = (i: number) => (i % 2 ? other : store);
    const code = await createInvite(
      store,
      { expiresAt: new Date(Date.now() + 3600_000), operatorId: null },
      new Date(),
    );
    const outcomes = await Promise.all(
      Array.from({ length: 8 }, (_, i) =>
        enrolShop(
          pick(i),
          {
            inviteCode: code,
            shopName: `S${i}`,
            appVersion: '1',
            publicKey: generateShopKeyPair().publicKey,
          },
          new Date(),
        ),
      ),
    );
    expect(outcomes.filter((o) => o.ok)).toHaveLength(1);
    expect(outcomes.filter((o) => !o.ok).map((o) => !o.ok && o.reason)).toEqual(
      Array(7).fill('used-invite'),
    );
    const shop = outcomes.find((o) => o.ok)!;
    const shopId = shop.ok ? shop.shop.id : '';
    expect(await store.get('SELECT COUNT(*) AS c FROM shops')).toEqual({ c: 1 });

    const nonces = await Promise.all(
      Array.from({ length: 8 }, (_, i) => useNonce(pick(i), shopId, 'x'.repeat(20), Date.now())),
    );
    expect(nonces.filter(Boolean)).toHaveLength(1);

    await ensureInitialModel(store, () => new Float32Array(4), silent, new Date());
    const round = await insertRound(
      store,
      { modelVersion: 1, settings: roundSettings.parse(collecting), trigger: 'cli' },
      new Date(),
    );
    await store.run("UPDATE rounds SET phase = 'collect' WHERE id = ?", [round.id]);
    const body = updateBody([0.1, 0.2, 0.3, 0.4]);
    const answers = await Promise.all(
      Array.from({ length: 8 }, (_, i) =>
        acceptPlainUpdate(pick(i), { roundId: round.id, shopId, body }, new Date()),
      ),
    );
    expect(answers.every((a) => a.accepted)).toBe(true);
    expect(answers.filter((a) => !a.duplicate)).toHaveLength(1);
    expect(new Set(answers.map((a) => a.receivedAt)).size).toBe(1);
    await expect(
      acceptPlainUpdate(
        store,
        { roundId: round.id, shopId, body: updateBody([0, 0, 0, 0.4]) },
        new Date(),
      ),
    ).rejects.toMatchObject({ statusCode: 409, code: 'already-uploaded' });
    expect(await store.get('SELECT COUNT(*) AS c FROM updates')).toEqual({ c: 1 });
    expect(
      await store.get('SELECT uploaded_at FROM round_participants WHERE shop_id = ?', [shopId]),
    ).toEqual({ uploaded_at: answers[0]!.receivedAt });
  });
}
