/** The schema: migrations applied once and verified, and an older database upgraded with its rows. */
import { expect, it } from 'vitest';
import { tempDir } from '../coordinator-harness.ts';
import {
  postgresMigrations,
  sqliteMigrations,
} from '../../../coordinator/store/migrations/index.ts';
import type { SqlValue } from '../../../coordinator/store/sql.ts';
import { migrationHash, openMigratedDatabase } from '../../../federated/storage/sqlite.ts';
import { join } from 'node:path';
import pg from 'pg';
import { migratePostgres, numberPlaceholders } from '../../../coordinator/store/postgres-store.ts';
import {
  digestOf,
  dropRoundPayloads,
  insertMessage,
  insertShareRecords,
  messageReceipt,
  messagesOf,
  recordsTo,
} from '../../../coordinator/store/secagg.ts';
import { at } from '../../support/coordinator-history.ts';
import { sqliteOf } from '../../support/coordinator-store.ts';
import { type SuiteContext } from './context.ts';

export function schemaCases({ target, fresh, connect }: SuiteContext): void {
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
      exec = async (text, params = []) => void (await pool.query(numberPlaceholders(text), params));
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
    // Rows with a header got a tag, so requests that read only the tag find their header.
    const tags = await store.all<{ t: string | null }>('SELECT phase_state_tag AS t FROM rounds');
    expect(tags.every((r) => typeof r.t === 'string' && r.t.length >= 32)).toBe(true);
    await store.run("UPDATE rounds SET phase = 'confirm' WHERE id = 2");
    await expect(store.run("UPDATE rounds SET phase = 'nonsense' WHERE id = 2")).rejects.toThrow();
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
}
