import { join } from 'node:path';
import { openCoordinatorStore } from '../../coordinator/store/database.ts';
import type { CoordinatorStore } from '../../coordinator/store/sql.ts';
import { tempDir } from '../integration/coordinator-harness.ts';
import { postgresSkipped, startPostgres, type PostgresServer } from './postgres.ts';

/**
 * The coordinator's two stores as the store suite sees them: each `fresh()` is an empty,
 * migrated database (a new SQLite file, or a new database on one PostgreSQL server started for
 * the test file).
 */
export type StoreTarget = {
  kind: 'sqlite' | 'postgres';
  skip: boolean;
  /** Where a coordinator (or its CLI) finds the database: a file path or a postgres:// URL. */
  fresh(): Promise<{ store: CoordinatorStore; database: string }>;
  /** Another connection to the same database: a second coordinator instance. */
  connect(database: string): Promise<CoordinatorStore>;
  start(): Promise<void>;
  stop(): Promise<void>;
  server(): PostgresServer;
};

export function sqliteTarget(): StoreTarget {
  let n = 0;
  const dir = tempDir('breadcast-store-sqlite-');
  return {
    kind: 'sqlite',
    skip: false,
    async fresh() {
      const database = join(dir, `coordinator-${++n}.db`);
      return { store: await openCoordinatorStore(database), database };
    },
    connect: (database) => openCoordinatorStore(database),
    start: async () => {},
    stop: async () => {},
    server: () => {
      throw new Error('SQLite has no server');
    },
  };
}

export function postgresTarget(): StoreTarget {
  let n = 0;
  let server: PostgresServer | null = null;
  return {
    kind: 'postgres',
    skip: postgresSkipped,
    async fresh() {
      if (!server) throw new Error('call start() in beforeAll');
      const database = await server.createDatabase(`coordinator_${++n}`);
      return { store: await openCoordinatorStore(database), database };
    },
    connect: (database) => openCoordinatorStore(database),
    async start() {
      server = await startPostgres();
    },
    async stop() {
      await server?.stop();
      server = null;
    },
    server() {
      if (!server) throw new Error('call start() in beforeAll');
      return server;
    },
  };
}
