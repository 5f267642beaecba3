import { createHash } from 'node:crypto';
import type Database from 'better-sqlite3';

export type FingerprintOptions = {
  /** Tables that change on every request by design (nonces, audit events, sessions). */
  ignoreTables?: string[];
  /** Columns that change on every request by design (a shop's last-seen time). */
  ignoreColumns?: Record<string, string[]>;
};

/**
 * A hash of every row of every table (in storage order): equal before and after means the
 * refused request, the killed process or the hostile input changed nothing at all.
 */
export function databaseFingerprint(
  db: Database.Database,
  options: FingerprintOptions = {},
): string {
  const hash = createHash('sha256');
  for (const name of tableNames(db)) {
    if (options.ignoreTables?.includes(name)) continue;
    const skip = options.ignoreColumns?.[name] ?? [];
    const columns = (db.pragma(`table_info("${name}")`) as { name: string }[])
      .map((c) => c.name)
      .filter((c) => !skip.includes(c))
      .map((c) => `"${c}"`)
      .join(', ');
    hash.update(`\u0000table ${name}\u0000`);
    for (const row of db.prepare(`SELECT ${columns} FROM "${name}"`).raw().iterate()) {
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
  return Object.fromEntries(
    tableNames(db).map((name) => [
      name,
      (db.prepare(`SELECT COUNT(*) AS n FROM "${name}"`).get() as { n: number }).n,
    ]),
  );
}

function tableNames(db: Database.Database): string[] {
  return (
    db
      .prepare(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name",
      )
      .all() as { name: string }[]
  ).map((t) => t.name);
}
