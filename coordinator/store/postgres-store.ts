import pg from 'pg';
import { migrationHash, StoreError, type Migration } from '../../federated/storage/sqlite.ts';
import { postgresMigrations } from './migrations/index.ts';
import type { CoordinatorStore, SqlValue, Tx } from './sql.ts';

/**
 * Columns come back as the SQLite store returns them: 64-bit integers (counts, sums, ms times)
 * as numbers rather than strings. Every such value here is far below 2^53.
 */
const typeParsers = {
  getTypeParser(oid: number, format?: 'text' | 'binary') {
    if (oid === pg.types.builtins.INT8 && format !== 'binary')
      return (text: string) => Number(text);
    return pg.types.getTypeParser(oid, format);
  },
} as pg.CustomTypesConfig;

// Transactions that lost a serialisation race or a deadlock are run again from the start.
const retryCodes = new Set(['40001', '40P01']);
const maxAttempts = 5;

const numbered = new Map<string, string>();

/** `?` placeholders → `$1, $2, …` (outside quoted text), once per query text. */
export function numberPlaceholders(text: string): string {
  let out = numbered.get(text);
  if (out !== undefined) return out;
  let n = 0;
  let quote: string | null = null;
  out = '';
  for (const char of text) {
    if (quote) {
      if (char === quote) quote = null;
      out += char;
    } else if (char === "'" || char === '"') {
      quote = char;
      out += char;
    } else out += char === '?' ? `$${++n}` : char;
  }
  numbered.set(text, out);
  return out;
}

/** The server and database of a URL, for logs: never the password. */
export function describePostgresUrl(url: string): string {
  try {
    const parsed = new URL(url);
    return `PostgreSQL ${parsed.hostname || 'localhost'}${parsed.port ? `:${parsed.port}` : ''}${parsed.pathname}`;
  } catch {
    return 'PostgreSQL';
  }
}

export type PostgresOptions = {
  /** Connections this coordinator keeps open (default 10). */
  poolSize?: number;
  /** An idle connection failed (the server restarted): the next query reconnects. */
  onIdleError?: (error: Error) => void;
};

/** The store for an association's server: a connection pool on PostgreSQL. */
export class PostgresStore implements CoordinatorStore {
  readonly kind = 'postgres' as const;
  readonly dialect = 'postgres' as const;

  private constructor(
    readonly pool: pg.Pool,
    readonly description: string,
  ) {}

  /** Connects and applies every migration not yet applied (once, however many start at once). */
  static async open(url: string, options: PostgresOptions = {}): Promise<PostgresStore> {
    const pool = new pg.Pool({
      connectionString: url,
      max: options.poolSize ?? 10,
      types: typeParsers,
    });
    pool.on('error', (error) => options.onIdleError?.(error));
    const store = new PostgresStore(pool, describePostgresUrl(url));
    try {
      await migratePostgres(pool, postgresMigrations, store.description);
    } catch (error) {
      await pool.end();
      throw error;
    }
    return store;
  }

  async all<T>(text: string, params: readonly SqlValue[] = []): Promise<T[]> {
    return (await this.pool.query(numberPlaceholders(text), params as unknown[])).rows as T[];
  }

  async get<T>(text: string, params: readonly SqlValue[] = []): Promise<T | undefined> {
    return (await this.all<T>(text, params))[0];
  }

  async run(text: string, params: readonly SqlValue[] = []): Promise<number> {
    return (await this.pool.query(numberPlaceholders(text), params as unknown[])).rowCount ?? 0;
  }

  async transaction<T>(work: (tx: Tx) => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
    let broken: Error | undefined;
    try {
      for (let attempt = 1; ; attempt++) {
        await client.query('BEGIN');
        const tx = new PostgresTx(client);
        try {
          const result = await work(tx);
          await client.query('COMMIT');
          return result;
        } catch (error) {
          await client.query('ROLLBACK').catch((rollback: Error) => (broken = rollback));
          const code = (error as { code?: string }).code;
          if (broken || !code || !retryCodes.has(code) || attempt >= maxAttempts) throw error;
        } finally {
          tx.end();
        }
      }
    } finally {
      // A connection whose rollback failed is closed rather than handed to the next caller.
      client.release(broken);
    }
  }

  async close(): Promise<void> {
    await this.pool.end();
  }
}

class PostgresTx implements Tx {
  readonly dialect = 'postgres' as const;
  private open = true;
  private savepoints = 0;

  constructor(private readonly client: pg.PoolClient) {}

  end(): void {
    this.open = false;
  }

  private async query(text: string, params: readonly SqlValue[]) {
    if (!this.open) throw new Error('this transaction has already ended');
    return this.client.query(numberPlaceholders(text), params as unknown[]);
  }

  async all<T>(text: string, params: readonly SqlValue[] = []): Promise<T[]> {
    return (await this.query(text, params)).rows as T[];
  }

  async get<T>(text: string, params: readonly SqlValue[] = []): Promise<T | undefined> {
    return (await this.all<T>(text, params))[0];
  }

  async run(text: string, params: readonly SqlValue[] = []): Promise<number> {
    return (await this.query(text, params)).rowCount ?? 0;
  }

  async transaction<T>(work: (tx: Tx) => Promise<T>): Promise<T> {
    const name = `s${++this.savepoints}`;
    await this.query(`SAVEPOINT ${name}`, []);
    try {
      const result = await work(this);
      await this.query(`RELEASE SAVEPOINT ${name}`, []);
      return result;
    } catch (error) {
      await this.query(`ROLLBACK TO SAVEPOINT ${name}`, []);
      throw error;
    }
  }

  async lock(name: string): Promise<void> {
    await this.query('SELECT pg_advisory_xact_lock(hashtextextended(?, 0))', [name]);
  }
}

/**
 * The PostgreSQL side of the migration runner in federated/storage/sqlite.ts, with the same
 * guarantees: each step once, in its own transaction, its SHA-256 recorded; a database from a
 * newer version or a step edited after it was applied is refused. A session lock makes
 * coordinators starting together migrate one after the other.
 */
export async function migratePostgres(
  pool: pg.Pool,
  migrations: readonly Migration[],
  where: string,
): Promise<void> {
  const client = await pool.connect();
  const lock = 'breadcast-coordinator-migrations';
  try {
    await client.query('SELECT pg_advisory_lock(hashtextextended($1, 0))', [lock]);
    await client.query(`CREATE TABLE IF NOT EXISTS schema_migrations (
      id integer PRIMARY KEY, name text NOT NULL, hash text NOT NULL, applied_at text NOT NULL)`);
    const applied = new Map(
      (
        await client.query<{ id: number; hash: string }>('SELECT id, hash FROM schema_migrations')
      ).rows.map((row) => [row.id, row.hash]),
    );
    const newest = Math.max(0, ...applied.keys());
    if (newest > migrations.length)
      throw new StoreError(
        `${where} was written by a newer Breadcast coordinator (schema ${newest}, this version knows ${migrations.length}); please update.`,
        'newer-version',
      );
    for (const [index, migration] of migrations.entries()) {
      const id = index + 1;
      const hash = migrationHash(migration);
      const recorded = applied.get(id);
      if (recorded !== undefined) {
        if (recorded !== hash)
          throw new StoreError(
            `migration ${id} (${migration.name}) was edited after it was applied to ${where}`,
            'edited-migration',
          );
        continue;
      }
      await client.query('BEGIN');
      try {
        await client.query(migration.sql);
        await client.query(
          'INSERT INTO schema_migrations (id, name, hash, applied_at) VALUES ($1, $2, $3, $4)',
          [id, migration.name, hash, new Date().toISOString()],
        );
        await client.query('COMMIT');
      } catch (error) {
        await client.query('ROLLBACK');
        throw error;
      }
    }
  } finally {
    await client
      .query('SELECT pg_advisory_unlock(hashtextextended($1, 0))', [lock])
      .catch(() => undefined);
    client.release();
  }
}
