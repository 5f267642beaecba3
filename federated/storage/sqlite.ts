import Database from 'better-sqlite3';
import { createHash } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';

export type Db = Database.Database;

/**
 * One schema step. Its position in the list is its version; its text is hashed once applied.
 * `rebuildsTables`: the step replaces a table others reference (SQLite changes a constraint only
 * by rebuilding the table), so it runs with foreign keys off and must leave none dangling.
 */
export type Migration = { name: string; sql: string; rebuildsTables?: boolean };

/** Why a database could not be opened, in words a bakery owner can act on. */
export class StoreError extends Error {
  constructor(
    message: string,
    readonly code: 'newer-version' | 'corrupt' | 'edited-migration' | 'not-a-database',
  ) {
    super(message);
  }
}

export function migrationHash(migration: Migration): string {
  return createHash('sha256').update(migration.sql).digest('hex');
}

/**
 * Shared by the bakery app and the coordinator, which both keep their state in SQLite.
 * Opens (creating if needed) a database: WAL, foreign keys, integrity check, then every
 * migration not yet applied, each in its own transaction. Refuses files from a newer app and
 * applied migrations whose text changed, because either would silently corrupt history.
 */
export function openMigratedDatabase(
  path: string,
  migrations: readonly Migration[],
  options: { readonly?: boolean; product?: string } = {},
): Db {
  const product = options.product ?? 'Breadcast';
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  let db: Db;
  try {
    db = new Database(path, {
      readonly: options.readonly ?? false,
      fileMustExist: options.readonly ?? false,
    });
    db.pragma('journal_mode = WAL');
  } catch (error) {
    throw new StoreError(
      `${path} is not a ${product} database or is damaged: ${(error as Error).message}`,
      'not-a-database',
    );
  }
  try {
    db.pragma('foreign_keys = ON');
    db.pragma('busy_timeout = 5000');
    db.pragma('synchronous = NORMAL');
    checkIntegrity(db, path);
    if (!options.readonly) migrate(db, path, migrations, product);
    return db;
  } catch (error) {
    db.close();
    throw error;
  }
}

export function checkIntegrity(db: Db, path = 'database'): void {
  let result: string;
  try {
    result = String(db.pragma('quick_check', { simple: true }));
  } catch (error) {
    throw new StoreError(
      `${path} is damaged and cannot be read (${(error as Error).message}); restore a backup.`,
      'corrupt',
    );
  }
  if (result !== 'ok')
    throw new StoreError(
      `${path} failed its integrity check (${result}); restore a backup.`,
      'corrupt',
    );
}

function migrate(db: Db, path: string, migrations: readonly Migration[], product: string): void {
  const current = Number(db.pragma('user_version', { simple: true }));
  if (current > migrations.length) {
    throw new StoreError(
      `${path} was written by a newer ${product} (schema ${current}, this version knows ${migrations.length}); please update.`,
      'newer-version',
    );
  }
  db.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
    id INTEGER PRIMARY KEY, name TEXT NOT NULL, hash TEXT NOT NULL, applied_at TEXT NOT NULL)`);
  const applied = new Map(
    db
      .prepare<[], { id: number; hash: string }>('SELECT id, hash FROM schema_migrations')
      .all()
      .map((row) => [row.id, row.hash]),
  );
  migrations.forEach((migration, index) => {
    const id = index + 1;
    const hash = migrationHash(migration);
    const recorded = applied.get(id);
    if (recorded !== undefined) {
      if (recorded !== hash) {
        throw new StoreError(
          `migration ${id} (${migration.name}) was edited after it was applied to ${path}`,
          'edited-migration',
        );
      }
      return;
    }
    // The pragma is a no-op inside a transaction, so it is switched around it.
    if (migration.rebuildsTables) db.pragma('foreign_keys = OFF');
    try {
      db.transaction(() => {
        db.exec(migration.sql);
        if (migration.rebuildsTables && (db.pragma('foreign_key_check') as unknown[]).length > 0)
          throw new StoreError(
            `migration ${id} (${migration.name}) would leave rows of ${path} pointing nowhere`,
            'corrupt',
          );
        db.prepare(
          'INSERT INTO schema_migrations (id, name, hash, applied_at) VALUES (?, ?, ?, ?)',
        ).run(id, migration.name, hash, new Date().toISOString());
        db.pragma(`user_version = ${id}`);
      })();
    } finally {
      if (migration.rebuildsTables) db.pragma('foreign_keys = ON');
    }
  });
}
