import { createHash } from 'node:crypto';
import type Database from 'better-sqlite3';

/**
 * A hash of every row of every table (in rowid order): equal before and after means the
 * refused request, the killed process or the hostile input changed nothing at all.
 */
export function databaseFingerprint(
  db: Database.Database,
  options: { ignore?: string[] } = {},
): string {
  const hash = createHash('sha256');
  const tables = db
    .prepare(
      "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name",
    )
    .all() as { name: string }[];
  for (const { name } of tables) {
    if (options.ignore?.includes(name)) continue;
    hash.update(`\u0000table ${name}\u0000`);
    for (const row of db.prepare(`SELECT * FROM "${name}"`).raw().iterate()) {
      hash.update(
        JSON.stringify(row, (_k, v: unknown) =>
          Buffer.isBuffer(v) ? v.toString('hex') : typeof v === 'bigint' ? String(v) : v,
        ),
      );
    }
  }
  return hash.digest('hex');
}

/** Row counts per table, for a readable failure message next to the fingerprint. */
export function tableCounts(db: Database.Database): Record<string, number> {
  const tables = db
    .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")
    .all() as { name: string }[];
  return Object.fromEntries(
    tables.map(({ name }) => [
      name,
      (db.prepare(`SELECT COUNT(*) AS n FROM "${name}"`).get() as { n: number }).n,
    ]),
  );
}
