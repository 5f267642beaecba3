import Database from 'better-sqlite3';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openMigratedDatabase, type Migration } from '../../../federated/storage/sqlite.ts';
import { openDatabase, schemaVersion, StoreError } from '../../../electron/store/database.ts';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});
function tempFile(name = 'bakery.sqlite'): string {
  const dir = mkdtempSync(join(tmpdir(), 'breadcast-store-'));
  dirs.push(dir);
  return join(dir, name);
}

function storeError(run: () => unknown): StoreError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(StoreError);
    return error as StoreError;
  }
  throw new Error('expected a StoreError');
}

describe('bakery database migrations', () => {
  it('creates every table on open, records each migration and reopens without re-running', () => {
    const path = tempFile();
    const db = openDatabase(path);
    expect(db.pragma('user_version', { simple: true })).toBe(schemaVersion);
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(db.pragma('foreign_keys', { simple: true })).toBe(1);
    const tables = db
      .prepare<[], { name: string }>("SELECT name FROM sqlite_master WHERE type = 'table'")
      .all()
      .map((t) => t.name);
    expect(tables).toEqual(
      expect.arrayContaining([
        'products',
        'daily_logs',
        'log_edits',
        'day_context',
        'settings',
        'schema_migrations',
      ]),
    );
    db.prepare("INSERT INTO settings (key, value) VALUES ('shopName', '\"Korn\"')").run();
    const applied = db
      .prepare('SELECT id, name, hash, applied_at FROM schema_migrations ORDER BY id')
      .all();
    expect(applied).toHaveLength(schemaVersion);
    db.close();
    const again = openDatabase(path);
    expect(
      again.prepare('SELECT id, name, hash, applied_at FROM schema_migrations ORDER BY id').all(),
    ).toEqual(applied);
    expect(again.prepare("SELECT value FROM settings WHERE key = 'shopName'").get()).toEqual({
      value: '"Korn"',
    });
    again.close();
  });

  it('refuses a database written by a newer version', () => {
    const path = tempFile();
    openDatabase(path).close();
    const raw = new Database(path);
    raw.pragma(`user_version = ${schemaVersion + 1}`);
    raw.close();
    const error = storeError(() => openDatabase(path));
    expect(error.code).toBe('newer-version');
    expect(error.message).toMatch(/newer Breadcast bakery.*please update/);
  });

  it('gives a clear error for a file that is not a database, or a damaged one', () => {
    const garbage = tempFile('garbage.sqlite');
    writeFileSync(garbage, 'x'.repeat(8192));
    const error = storeError(() => openDatabase(garbage));
    expect(['not-a-database', 'corrupt']).toContain(error.code);
    expect(error.message).toMatch(/garbage\.sqlite/);

    const damaged = tempFile('damaged.sqlite');
    const db = openDatabase(damaged);
    db.pragma('journal_mode = DELETE');
    db.exec('CREATE TABLE filler (x TEXT)');
    const fill = db.prepare('INSERT INTO filler VALUES (?)');
    db.transaction(() => {
      for (let i = 0; i < 2000; i++) fill.run('y'.repeat(200));
    })();
    db.close();
    const bytes = readFileSync(damaged);
    bytes.fill(0xab, 4096 * 3, 4096 * 40); // overwrite pages in the middle, keep the header
    writeFileSync(damaged, bytes);
    const broken = storeError(() => openDatabase(damaged));
    expect(['corrupt', 'not-a-database']).toContain(broken.code);
    expect(broken.message).toMatch(/damaged|integrity|restore a backup/);
  });

  it('refuses an applied migration whose text was edited', () => {
    const path = tempFile();
    const first: Migration[] = [{ name: 'one', sql: 'CREATE TABLE a (x INTEGER);' }];
    openMigratedDatabase(path, first).close();
    const edited: Migration[] = [{ name: 'one', sql: 'CREATE TABLE a (x INTEGER, y TEXT);' }];
    const error = storeError(() => openMigratedDatabase(path, edited));
    expect(error.code).toBe('edited-migration');
    const extended = openMigratedDatabase(path, [
      ...first,
      { name: 'two', sql: 'CREATE TABLE b (y TEXT);' },
    ]);
    expect(extended.pragma('user_version', { simple: true })).toBe(2);
    extended.close();
  });

  it('rolls back a failing migration as a whole', () => {
    const path = tempFile();
    const bad: Migration[] = [
      { name: 'broken', sql: 'CREATE TABLE c (x INTEGER); INSERT INTO nowhere VALUES (1);' },
    ];
    expect(() => openMigratedDatabase(path, bad)).toThrow(/nowhere/);
    const raw = new Database(path);
    expect(raw.pragma('user_version', { simple: true })).toBe(0);
    expect(raw.prepare("SELECT name FROM sqlite_master WHERE name = 'c'").get()).toBeUndefined();
    raw.close();
  });
});
