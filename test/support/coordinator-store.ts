import type { FastifyInstance } from 'fastify';
import { float32FromBytes } from '../../federated/protocol/index.ts';
import type { Db } from '../../federated/storage/sqlite.ts';
import { SqliteStore } from '../../coordinator/store/sqlite-store.ts';
import type { CoordinatorStore } from '../../coordinator/store/sql.ts';

/**
 * The better-sqlite3 connection behind a coordinator on the embedded store, for tests that
 * look at the file itself (fingerprints, integrity checks, rows the API does not show).
 */
export function sqliteOf(target: FastifyInstance | CoordinatorStore): Db {
  const store = 'coordinator' in target ? target.coordinator.store : target;
  if (!(store instanceof SqliteStore))
    throw new Error(`this test reads the SQLite file, but the coordinator runs on ${store.kind}`);
  return store.db;
}

/** The weights of a model version as stored in a coordinator's SQLite file. */
export function storedWeights(db: Db, version: number): Float32Array {
  const row = db.prepare('SELECT weights FROM models WHERE version = ?').get(version) as
    { weights: Buffer } | undefined;
  if (!row) throw new Error(`the coordinator has no model version ${version}`);
  return float32FromBytes(row.weights);
}
