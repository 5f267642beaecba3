import { openMigratedDatabase, type Db } from '../../federated/storage/sqlite.ts';
import { migrations } from './migrations/index.ts';

export type { Db };

export function openCoordinatorDatabase(path: string): Db {
  return openMigratedDatabase(path, migrations, { product: 'Breadcast coordinator' });
}

export function audit(db: Db, actor: string, kind: string, detail: unknown, at = new Date()): void {
  db.prepare('INSERT INTO events (at, actor, kind, detail) VALUES (?, ?, ?, ?)').run(
    at.toISOString(),
    actor,
    kind,
    detail === undefined ? null : JSON.stringify(detail),
  );
}
