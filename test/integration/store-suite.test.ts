import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildCoordinator } from '../../coordinator/app.ts';
import { stepSecureRound } from '../../electron/sync/secagg-client.ts';
import { loadSyncState } from '../../electron/sync/state.ts';
import type { RoundView } from '../../federated/protocol/index.ts';
import { operatorSession, parameterCount, tempDir } from './coordinator-harness.ts';
import {
  anyRoundPolicy,
  clippedDelta,
  enrolTestShops,
  phaseDeadlines,
  type TestShop,
} from '../support/shops.ts';
import { syntheticDays } from '../support/synthetic-days.ts';
import { pino } from 'pino';
import { ChangeFeed } from '../../coordinator/overview/change-feed.ts';
import { RoundEngine } from '../../coordinator/rounds/engine.ts';
import { ensureInitialModel } from '../../coordinator/rounds/initial-model.ts';
import { plainMode } from '../../coordinator/rounds/plain-mode.ts';
import { acceptPlainUpdate } from '../../coordinator/rounds/plain-upload.ts';
import { postgresMigrations, sqliteMigrations } from '../../coordinator/store/migrations/index.ts';
import { getModel, insertModel, modelWeights } from '../../coordinator/store/models.ts';
import { getRound, insertRound } from '../../coordinator/store/rounds.ts';
import { getSetting, putSetting } from '../../coordinator/store/settings.ts';
import { createInvite, enrolShop, useNonce } from '../../coordinator/store/shops.ts';
import type { CoordinatorStore, SqlValue } from '../../coordinator/store/sql.ts';
import { migrationHash, openMigratedDatabase } from '../../federated/storage/sqlite.ts';
import { join } from 'node:path';
import pg from 'pg';
import { migratePostgres, numberPlaceholders } from '../../coordinator/store/postgres-store.ts';
import {
  digestOf,
  dropRoundPayloads,
  insertMessage,
  insertShareRecords,
  messageReceipt,
  messagesOf,
  recordsTo,
} from '../../coordinator/store/secagg.ts';
import {
  encodeFloat32,
  generateShopKeyPair,
  roundSettings,
  sha256Hex,
  type RoundSettings,
} from '../../federated/protocol/index.ts';
import {
  addFigures,
  at,
  dashboardViews,
  enrol,
  writeHistory,
} from '../support/coordinator-history.ts';
import { sqliteOf } from '../support/coordinator-store.ts';
import { postgresTarget, sqliteTarget, type StoreTarget } from '../support/store-targets.ts';

/**
 * One suite, both stores: every property the coordinator relies on is checked on the embedded
 * SQLite store and on a real PostgreSQL server started for this file.
 */
const targets = [sqliteTarget(), postgresTarget()];
const silent = pino({ level: 'silent' });

function updateBody(values: number[], modelVersion = 1) {
  const delta = encodeFloat32(Float32Array.from(values));
  return {
    modelVersion,
    parameterCount: values.length,
    sampleCount: 10,
    encoding: 'f32le-base64' as const,
    delta,
    sha256: sha256Hex(Buffer.from(delta, 'base64')),
  };
}

const collecting: Partial<RoundSettings> = {
  mode: 'plain',
  minShops: 2,
  weighting: 'equal',
  clipNorm: 10,
  serverOptimizer: { kind: 'fedavg', learningRate: 1 },
  deadlines: {
    openSeconds: 0,
    advertiseSeconds: 3600,
    shareSeconds: 3600,
    collectSeconds: 3600,
    confirmSeconds: 3600,
    unmaskSeconds: 3600,
  },
};

function engineOn(store: CoordinatorStore): RoundEngine {
  return new RoundEngine({
    store,
    log: silent,
    now: () => new Date(),
    modes: [plainMode],
    schedule: false,
  });
}

for (const target of targets) {
  describe.skipIf(target.skip)(`the ${target.kind} store`, () => {
    const open: CoordinatorStore[] = [];
    const fresh = async () => {
      const made = await target.fresh();
      open.push(made.store);
      return made;
    };
    const connect = async (database: string) => {
      const store = await target.connect(database);
      open.push(store);
      return store;
    };
    beforeAll(() => target.start(), 120_000);
    afterAll(async () => {
      for (const store of open) await store.close().catch(() => undefined);
      await target.stop();
    });

    it('applies every migration once with its SHA-256, and refuses an edited or a newer schema', async () => {
      const { store, database } = await fresh();
      const expected = (target.kind === 'sqlite' ? sqliteMigrations : postgresMigrations).map(
        (migration, i) => ({ id: i + 1, name: migration.name, hash: migrationHash(migration) }),
      );
      const recorded = () => store.all('SELECT id, name, hash FROM schema_migrations ORDER BY id');
      expect(await recorded()).toEqual(expected);
      // Opening it again applies nothing and changes nothing.
      await (await connect(database)).close();
      expect(await recorded()).toEqual(expected);

      await store.run('UPDATE schema_migrations SET hash = ? WHERE id = 1', ['0'.repeat(64)]);
      await expect(target.connect(database)).rejects.toMatchObject({ code: 'edited-migration' });
      await store.run('UPDATE schema_migrations SET hash = ? WHERE id = 1', [expected[0]!.hash]);

      const newer = expected.length + 1;
      if (target.kind === 'sqlite') sqliteOf(store).pragma(`user_version = ${newer}`);
      else
        await store.run(
          "INSERT INTO schema_migrations (id, name, hash, applied_at) VALUES (?, 'future', '', '')",
          [newer],
        );
      await expect(target.connect(database)).rejects.toMatchObject({ code: 'newer-version' });
    });

    it('upgrades a database with rounds to the secure-message schema: rows kept, the confirm phase allowed, one row per shop message', async () => {
      const older = (target.kind === 'sqlite' ? sqliteMigrations : postgresMigrations).slice(0, 3);
      let database: string;
      let exec: (text: string, params?: SqlValue[]) => Promise<void>;
      let done: () => Promise<void>;
      if (target.kind === 'sqlite') {
        database = join(tempDir('breadcast-upgrade-'), 'c.db');
        const db = openMigratedDatabase(database, older);
        exec = async (text, params = []) => void db.prepare(text).run(...params);
        done = async () => void db.close();
      } else {
        database = await target.server().createDatabase('coordinator_upgrade');
        const pool = new pg.Pool({ connectionString: database });
        await migratePostgres(pool, older, 'upgrade test');
        exec = async (text, params = []) =>
          void (await pool.query(numberPlaceholders(text), params));
        done = () => pool.end();
      }
      const t = at(0).toISOString();
      await exec(
        "INSERT INTO models (version, parameter_count, weights, sha256, created_at) VALUES (1, 1, ?, 'x', ?)",
        [Buffer.alloc(4), t],
      );
      await exec(
        "INSERT INTO shops (id, name, app_version, enrolled_at) VALUES ('s1', 'S', '1', ?)",
        [t],
      );
      for (const [id, phase] of [
        [1, 'published'],
        [2, 'collect'],
      ] as const)
        await exec(
          `INSERT INTO rounds (id, phase, model_version, settings, trigger, opened_at, phase_log, phase_state)
           VALUES (?, ?, 1, '{}', 'cli', ?, '[]', '{"kept":true}')`,
          [id, phase, t],
        );
      await exec(
        'INSERT INTO round_participants (round_id, shop_id, checked_in_at) VALUES (2, ?, ?)',
        ['s1', t],
      );
      await done();

      const store = await connect(database);
      expect(
        (await store.all<{ name: string }>('SELECT name FROM schema_migrations ORDER BY id')).map(
          (r) => r.name,
        ),
      ).toEqual(
        (target.kind === 'sqlite' ? sqliteMigrations : postgresMigrations).map((m) => m.name),
      );
      expect(await store.all('SELECT id, phase, phase_state FROM rounds ORDER BY id')).toEqual([
        { id: 1, phase: 'published', phase_state: '{"kept":true}' },
        { id: 2, phase: 'collect', phase_state: '{"kept":true}' },
      ]);
      await store.run("UPDATE rounds SET phase = 'confirm' WHERE id = 2");
      await expect(
        store.run("UPDATE rounds SET phase = 'nonsense' WHERE id = 2"),
      ).rejects.toThrow();
      // Still one running round at most, and the participants still point at their round.
      await expect(
        store.run(
          "INSERT INTO rounds (id, phase, model_version, settings, trigger, opened_at, phase_log) VALUES (3, 'open', 1, '{}', 'cli', ?, '[]')",
          [t],
        ),
      ).rejects.toThrow();
      await expect(store.run('DELETE FROM rounds WHERE id = 2')).rejects.toThrow();

      const body = Buffer.from([0, 1, 2, 255]);
      await insertMessage(store, 2, 'masked', 's1', {
        digest: digestOf(body),
        body,
        meta: { maskedWith: [] },
        receivedAt: t,
      });
      await expect(
        insertMessage(store, 2, 'masked', 's1', { digest: 'y', body, receivedAt: t }),
      ).rejects.toThrow();
      const [row] = await messagesOf(store, 2, 'masked');
      expect(Buffer.from(row!.body!)).toEqual(body);
      expect(await messageReceipt(store, 2, 'masked', 's1')).toEqual({
        digest: digestOf(body),
        received_at: t,
      });
      await insertShareRecords(store, 2, 's1', [{ to: 's1', record: '{"r":1}' }]);
      expect(await recordsTo(store, 2, 's1')).toEqual(new Map([['s1', '{"r":1}']]));
      await dropRoundPayloads(store, 2);
      expect((await messagesOf(store, 2, 'masked'))[0]!.body).toBeNull();
      expect((await recordsTo(store, 2, 's1')).size).toBe(0);
    });

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

    it('two engines on one database: one round starts, each phase changes once, the round publishes once', async () => {
      const { store, database } = await fresh();
      const other = target.kind === 'postgres' ? await connect(database) : store;
      const [a, b] = [engineOn(store), engineOn(other)];
      await ensureInitialModel(store, () => new Float32Array(4), silent, new Date());
      const shops = [await enrol(store, 'A', at(0)), await enrol(store, 'B', at(1))];
      await putSetting(store, 'coordinator', {
        schedule: null,
        round: roundSettings.parse(collecting),
        privacy: { delta: 1e-5, budget: null },
      });
      const started = await Promise.allSettled([
        a.startRound('operator'),
        b.startRound('operator'),
      ]);
      expect(started.filter((s) => s.status === 'fulfilled')).toHaveLength(1);
      expect(started.find((s) => s.status === 'rejected')).toMatchObject({
        reason: { code: 'round-active' },
      });
      const round = (
        started.find((s) => s.status === 'fulfilled') as PromiseFulfilledResult<{ id: number }>
      ).value;
      expect((await getRound(store, round.id))!.phase).toBe('collect');
      await acceptPlainUpdate(
        store,
        { roundId: round.id, shopId: shops[0]!, body: updateBody([0.1, 0.1, 0.1, 0.1]) },
        new Date(),
      );
      await acceptPlainUpdate(
        other,
        { roundId: round.id, shopId: shops[1]!, body: updateBody([0.3, 0.3, 0.3, 0.3]) },
        new Date(),
      );
      // Both see the phase complete and both close it (and the operator too): one transition.
      await Promise.all([
        a.afterRequest(round.id),
        b.afterRequest(round.id),
        a.advance(round.id, 'operator', 'collect'),
        b.advance(round.id, 'operator', 'collect'),
      ]);
      a.close();
      b.close();
      const done = (await getRound(store, round.id))!;
      expect(done.phase).toBe('published');
      expect((JSON.parse(done.phase_log) as { phase: string }[]).map((e) => e.phase)).toEqual([
        'open',
        'collect',
        'aggregating',
        'published',
      ]);
      expect(await store.all('SELECT version FROM models ORDER BY version')).toEqual([
        { version: 1 },
        { version: 2 },
      ]);
      expect(
        await store.get("SELECT COUNT(*) AS c FROM events WHERE kind = 'round.published'"),
      ).toEqual({ c: 1 });
      const published = new Float32Array(
        new Uint8Array((await getModel(store, 2))!.weights).buffer,
      );
      expect([...published].map((w) => Math.round(w * 1e6) / 1e6)).toEqual([0.2, 0.2, 0.2, 0.2]);
    });

    it('serves a plain and a secure round over signed HTTP and publishes the exact average of the clipped updates', async () => {
      const { store } = await fresh();
      const dir = tempDir(`breadcast-store-http-${target.kind}-`);
      const app = await buildCoordinator({
        db: store,
        logger: silent,
        initialWeights: () => new Float32Array(parameterCount),
        schedule: false,
      });
      const shops: TestShop[] = [];
      try {
        await app.listen({ host: '127.0.0.1', port: 0 });
        const url = `http://127.0.0.1:${(app.server.address() as { port: number }).port}`;
        const operator = await operatorSession(app, url);
        shops.push(
          ...(await enrolTestShops(url, dir, operator, 3, {
            prefix: target.kind,
            days: (i) => syntheticDays(i + 1, 40 + 7 * i),
            // These bakeries take part in the plain round and the noiseless secure one.
            policy: anyRoundPolicy,
          })),
        );
        const train = { localEpochs: 5, learningRate: 0.05, clipNorm: 0.1 };
        const weightsOf = async (version: number) =>
          modelWeights((await getModel(store, version))!);
        for (const mode of ['plain', 'secure'] as const) {
          const put = await operator.call('PUT', '/v1/operator/settings', {
            schedule: null,
            round: {
              ...train,
              mode,
              minShops: 3,
              secaggThreshold: 3,
              noiseMultiplier: 0,
              weighting: 'equal',
              serverOptimizer: { kind: 'fedavg', learningRate: 1 },
              deadlines: phaseDeadlines(3600),
            },
          });
          expect(put.status, JSON.stringify(put.body)).toBe(200);
          const opened = await operator.call('POST', '/v1/operator/rounds', {});
          expect(opened.status, JSON.stringify(opened.body)).toBe(200);
          const roundId = Number(opened.body.id);
          const before = await weightsOf(Number(opened.body.modelVersion));
          const round = async () =>
            (await operator.call('GET', `/v1/operator/rounds/${roundId}`)).body;
          for (let pass = 0; pass < 6 && (await round()).phase !== 'published'; pass++)
            for (const shop of shops) {
              if (mode === 'plain') {
                await shop.client.runOnce({ ignoreBackoff: true });
                continue;
              }
              await stepSecureRound(
                {
                  db: shop.db,
                  http: shop.http(),
                  identity: { shopId: shop.shopId, privateKey: loadSyncState(shop.db)!.privateKey },
                  now: () => new Date(),
                  computeUpdate: async (r) => ({
                    delta: Float32Array.from(
                      clippedDelta(shop.trainer, await weightsOf(r.modelVersion), {
                        ...train,
                        clipNorm: 1e9,
                      }),
                    ),
                    sampleCount: 40,
                  }),
                },
                (await round()) as unknown as RoundView,
              );
            }
          const done = await round();
          expect(done.phase, `${mode}: ${String(done.failureReason)}`).toBe('published');
          const sum = new Float64Array(before.length);
          for (const shop of shops)
            clippedDelta(shop.trainer, before, train).forEach((v, j) => (sum[j]! += v));
          const published = await weightsOf(Number(done.resultVersion));
          // Masked sums are fixed-point: 1e-5; the plain average is exact to float32.
          published.forEach((w, j) =>
            expect(Math.abs(w - (before[j]! + sum[j]! / shops.length))).toBeLessThan(
              mode === 'plain' ? 1e-6 : 1e-5,
            ),
          );
        }
      } finally {
        await app.close();
        for (const shop of shops) shop.db.close();
      }
    });

    it('the nightly schedule opens one round per slot, however many coordinators keep it', async () => {
      const { store, database } = await fresh();
      const other = target.kind === 'postgres' ? await connect(database) : store;
      await ensureInitialModel(store, () => new Float32Array(4), silent, new Date());
      await putSetting(store, 'coordinator', {
        schedule: '* * * * * *',
        round: roundSettings.parse({ ...collecting, minShops: 50 }),
        privacy: { delta: 1e-5, budget: null },
      });
      const errors: string[] = [];
      const log = pino({ level: 'warn' }, { write: (line: string) => errors.push(line) });
      const engines = [store, other].map(
        (s) => new RoundEngine({ store: s, log, now: () => new Date(), modes: [plainMode] }),
      );
      for (const engine of engines) await engine.schedule();
      await new Promise((resolve) => setTimeout(resolve, 3500));
      for (const engine of engines) engine.close();
      const claims = await store.all<{ slot: string; claimed_by: string }>(
        'SELECT slot, claimed_by FROM scheduled_runs ORDER BY slot',
      );
      const rounds = await store.all<{ opened_at: string; trigger: string }>(
        'SELECT opened_at, trigger FROM rounds ORDER BY id',
      );
      // Every slot was claimed once (the other coordinator stood aside, no "round already
      // running" refusal), and a round opened in a claimed slot whenever none was running.
      expect(errors).toEqual([]);
      expect(claims.length).toBeGreaterThanOrEqual(2);
      expect(new Set(claims.map((c) => c.slot)).size).toBe(claims.length);
      expect(rounds.length).toBeGreaterThanOrEqual(1);
      expect(rounds.every((r) => r.trigger === 'schedule')).toBe(true);
      const seconds = new Set(
        claims.map((c) => c.slot.replace(/^.*:(\d{4}-.*T[\d:]+)\..*$/, '$1')),
      );
      for (const round of rounds) expect(seconds).toContain(round.opened_at.slice(0, 19));
    });

    it('tells the dashboard that something changed, whoever changed it', async () => {
      const { store, database } = await fresh();
      const other = target.kind === 'postgres' ? await connect(database) : store;
      const feed = new ChangeFeed(store, 60_000);
      let changes = 0;
      const unsubscribe = feed.subscribe(() => changes++);
      await feed.check();
      expect(changes).toBe(0);
      await putSetting(other, 'coordinator', { schedule: null });
      await feed.check();
      expect(changes).toBe(1);
      await enrol(other, 'New', at(3));
      await feed.check();
      await feed.check();
      expect(changes).toBe(2);
      unsubscribe();
    });
  });
}

describe.skipIf(targets.some((t) => t.skip))('the dashboard on both stores', () => {
  const [sqlite, postgres] = targets as [StoreTarget, StoreTarget];
  beforeAll(async () => {
    await sqlite.start();
    await postgres.start();
  }, 120_000);
  afterAll(async () => {
    await sqlite.stop();
    await postgres.stop();
  });

  it('shows the same overview, shops, rounds, round details, models and privacy figures', async () => {
    const texts: string[] = [];
    for (const target of [sqlite, postgres]) {
      const { store } = await target.fresh();
      try {
        texts.push(await dashboardViews(store, await writeHistory(store)));
      } finally {
        await store.close();
      }
    }
    expect(texts[0]).toContain('"enrolled": 3');
    expect(texts[0]).toContain('<Bäckerei Zoë>');
    expect(texts[1]).toEqual(texts[0]);
  });
});
