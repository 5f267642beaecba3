import { PostgresStore, type PostgresOptions } from './postgres-store.ts';
import { SqliteStore } from './sqlite-store.ts';
import type { CoordinatorStore, Sql } from './sql.ts';

export type { CoordinatorStore, Sql, Tx } from './sql.ts';

/** Whether a `--database` value names a PostgreSQL server rather than a SQLite file. */
export function isPostgresUrl(database: string): boolean {
  return /^postgres(ql)?:\/\//i.test(database);
}

/**
 * Opens (creating and migrating) the coordinator's store: a `postgres://` URL, or else the
 * path of a SQLite file (`sqlite:` in front is allowed).
 */
export async function openCoordinatorStore(
  database: string,
  options: PostgresOptions = {},
): Promise<CoordinatorStore> {
  if (isPostgresUrl(database)) return PostgresStore.open(database, options);
  return SqliteStore.open(database.replace(/^sqlite:/i, ''));
}

export async function audit(
  sql: Sql,
  actor: string,
  kind: string,
  detail: unknown,
  at = new Date(),
): Promise<void> {
  await sql.run('INSERT INTO events (at, actor, kind, detail) VALUES (?, ?, ?, ?)', [
    at.toISOString(),
    actor,
    kind,
    detail === undefined ? null : JSON.stringify(detail),
  ]);
}
