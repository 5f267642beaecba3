import { migrationHash } from '../../federated/storage/sqlite.ts';
import { postgresMigrations, sqliteMigrations } from '../store/migrations/index.ts';
import type { CoordinatorStore, Dialect } from '../store/sql.ts';

export type Readiness =
  | { ready: true }
  | {
      ready: false;
      reason:
        'database-unreachable' | 'migrations-behind' | 'migrations-ahead' | 'migrations-differ';
      message: string;
    };

/** This build's schema steps for a dialect, in order: what a database it may serve must hold. */
function expectedMigrations(dialect: Dialect): { name: string; hash: string }[] {
  return (dialect === 'postgres' ? postgresMigrations : sqliteMigrations).map((migration) => ({
    name: migration.name,
    hash: migrationHash(migration),
  }));
}

/**
 * Whether this instance can serve: the database answers within `timeoutMs`, and its applied
 * schema steps are exactly this build's. Another instance of a newer version may have migrated
 * a shared PostgreSQL further while this one runs; it must then leave the load balancer rather
 * than write rows the new schema does not expect.
 */
export async function checkReadiness(
  store: CoordinatorStore,
  timeoutMs: number,
): Promise<Readiness> {
  let applied: { id: number; name: string; hash: string }[];
  let timer: NodeJS.Timeout | undefined;
  try {
    applied = await Promise.race([
      store.all<{ id: number; name: string; hash: string }>(
        'SELECT id, name, hash FROM schema_migrations ORDER BY id',
      ),
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
      }),
    ]);
  } catch (error) {
    return {
      ready: false,
      reason: 'database-unreachable',
      message: `${store.description}: ${(error as Error).message}`,
    };
  } finally {
    clearTimeout(timer);
  }
  const expected = expectedMigrations(store.dialect);
  if (applied.length < expected.length)
    return {
      ready: false,
      reason: 'migrations-behind',
      message: `the database has ${applied.length} of this version's ${expected.length} schema steps`,
    };
  if (applied.length > expected.length)
    return {
      ready: false,
      reason: 'migrations-ahead',
      message: `a newer coordinator migrated the database to schema ${applied.length}; this version knows ${expected.length}`,
    };
  const differs = applied.find(
    (row, index) => row.id !== index + 1 || row.hash !== expected[index]!.hash,
  );
  if (differs)
    return {
      ready: false,
      reason: 'migrations-differ',
      message: `schema step ${differs.id} (${differs.name}) is not this version's`,
    };
  return { ready: true };
}
