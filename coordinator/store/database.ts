import { SqliteStore } from './sqlite-store.ts';
import type { CoordinatorStore, Sql } from './sql.ts';

export type { CoordinatorStore, Sql, Tx } from './sql.ts';

/** Opens (creating and migrating) the coordinator's store: a SQLite file path. */
export async function openCoordinatorStore(database: string): Promise<CoordinatorStore> {
  return SqliteStore.open(database);
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
