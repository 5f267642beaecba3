import Database from 'better-sqlite3';
import { existsSync, renameSync, rmSync, statSync } from 'node:fs';
import { basename } from 'node:path';
import pg from 'pg';
import { checkIntegrity } from '../../federated/storage/sqlite.ts';
import { isPostgresUrl, openCoordinatorStore } from './database.ts';
import { describePostgresUrl } from './postgres-store.ts';
import { runPostgresClient } from './postgres-tools.ts';

/**
 * Backups of the coordinator's database, for either store, taken while the coordinator runs:
 * SQLite's online backup API (a consistent copy even while rounds write) or pg_dump (one
 * snapshot transaction), written to a partial file, checked, then given its name. A restore
 * goes into a new SQLite file or an empty PostgreSQL database, never over live data, and opens
 * the result as the coordinator would (migrating an older backup) before it says it is done.
 */
export type BackupSummary = {
  file: string;
  bytes: number;
  format: 'sqlite' | 'pg_dump custom';
};

export type RestoreSummary = {
  /** What is in the restored database, so the operator sees it is the history they expect. */
  schemaVersion: number;
  shops: number;
  rounds: number;
  models: number;
};

export async function backupCoordinatorDatabase(
  database: string,
  file: string,
): Promise<BackupSummary> {
  if (existsSync(file))
    throw new Error(`${file} already exists: a backup never overwrites a file; choose a new name`);
  const partial = `${file}.partial`;
  rmSync(partial, { force: true });
  try {
    const format = isPostgresUrl(database)
      ? await dumpPostgres(database, partial)
      : await copySqlite(database, partial);
    renameSync(partial, file);
    return { file, bytes: statSync(file).size, format };
  } finally {
    rmSync(partial, { force: true });
  }
}

async function copySqlite(path: string, partial: string): Promise<'sqlite'> {
  // Read-only and unmigrated: taking a backup must never change the database it copies.
  const source = sqliteFile(path, 'the database');
  try {
    // After a first step, the rest in one step: a write by another connection between steps
    // would restart the copy, and a busy coordinator could keep restarting it.
    await source.backup(partial, { progress: ({ remainingPages }) => remainingPages });
  } finally {
    source.close();
  }
  const copy = sqliteFile(partial, 'the backup');
  try {
    checkIntegrity(copy, basename(partial));
    schemaVersionOf(copy, 'the backup');
  } finally {
    copy.close();
  }
  return 'sqlite';
}

async function dumpPostgres(url: string, partial: string): Promise<'pg_dump custom'> {
  // Custom format: compressed, and pg_restore can restore it into any empty database.
  await runPostgresClient('pg_dump', url, [
    '--format=custom',
    '--no-owner',
    '--no-privileges',
    `--file=${partial}`,
  ]);
  const contents = await runPostgresClient('pg_restore', null, ['--list', partial]);
  if (!/TABLE DATA \S+ schema_migrations /.test(contents))
    throw new Error(`pg_dump of ${describePostgresUrl(url)} holds no coordinator schema`);
  return 'pg_dump custom';
}

export async function restoreCoordinatorDatabase(
  file: string,
  database: string,
): Promise<RestoreSummary> {
  if (!existsSync(file)) throw new Error(`${file} does not exist`);
  if (isPostgresUrl(database)) await restorePostgres(file, database);
  else await restoreSqlite(file, database);
  // Opened as the coordinator opens it: an older backup is migrated, a newer one refused.
  const store = await openCoordinatorStore(database);
  try {
    const counts = await store.get<RestoreSummary>(
      `SELECT (SELECT MAX(id) FROM schema_migrations) AS "schemaVersion",
              (SELECT COUNT(*) FROM shops) AS shops,
              (SELECT COUNT(*) FROM rounds) AS rounds,
              (SELECT COUNT(*) FROM models) AS models`,
    );
    return counts!;
  } finally {
    await store.close();
  }
}

async function restoreSqlite(file: string, path: string): Promise<void> {
  if (existsSync(path))
    throw new Error(
      `${path} already exists: restore into a new file, then point the coordinator at it`,
    );
  const backup = sqliteFile(file, 'the backup');
  try {
    checkIntegrity(backup, basename(file));
    schemaVersionOf(backup, basename(file));
    await backup.backup(path);
  } finally {
    backup.close();
  }
}

async function restorePostgres(file: string, url: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const tables = await client.query(
      "SELECT COUNT(*)::int AS n FROM information_schema.tables WHERE table_schema = 'public'",
    );
    if ((tables.rows[0] as { n: number }).n > 0)
      throw new Error(
        `${describePostgresUrl(url)} is not empty: restore into a new, empty database (createdb), ` +
          'then point the coordinator at it',
      );
  } finally {
    await client.end();
  }
  await runPostgresClient('pg_restore', url, [
    '--no-owner',
    '--no-privileges',
    '--exit-on-error',
    '--single-transaction',
    file,
  ]);
}

function sqliteFile(path: string, what: string): Database.Database {
  try {
    return new Database(path, { readonly: true, fileMustExist: true });
  } catch (error) {
    throw new Error(`${what} (${path}) cannot be opened: ${(error as Error).message}`, {
      cause: error,
    });
  }
}

function schemaVersionOf(db: Database.Database, what: string): number {
  const tables = db
    .prepare(
      "SELECT COUNT(*) AS n FROM sqlite_master WHERE type = 'table' AND name IN ('schema_migrations', 'rounds', 'models')",
    )
    .get() as { n: number };
  if (tables.n !== 3) throw new Error(`${what} is not a Breadcast coordinator database`);
  return (db.prepare('SELECT MAX(id) AS v FROM schema_migrations').get() as { v: number }).v;
}
