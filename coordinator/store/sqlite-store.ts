import type Database from 'better-sqlite3';
import { openMigratedDatabase, type Db } from '../../federated/storage/sqlite.ts';
import { sqliteMigrations } from './migrations/index.ts';
import { StoreBusyError, type CoordinatorStore, type SqlValue, type Tx } from './sql.ts';
import { WalCheckpointer } from './wal-checkpointer.ts';

/** As long as SQLite's own busy timeout: a request waits this long for the database, then 503. */
const lockWaitMs = 5000;

/**
 * Pages the log may hold before the writer checkpoints it itself: only reached when the
 * checkpoint thread falls behind or is gone (SQLite's default, 1000, is what it relieves).
 */
const writerCheckpointPages = 8192;

/**
 * The embedded store: one better-sqlite3 connection (WAL). better-sqlite3 is synchronous, so a
 * query costs no more here than before; what the async interface adds is that a transaction
 * may await between its statements, so everything on this connection runs one at a time
 * behind an in-process lock (first come, first served). Uncontended, a query runs at once.
 */
export class SqliteStore implements CoordinatorStore {
  readonly kind = 'sqlite' as const;
  readonly dialect = 'sqlite' as const;
  readonly description: string;
  private readonly statements = new Map<string, Database.Statement>();
  private locked = false;
  private readonly waiters: (() => void)[] = [];

  constructor(
    /** The connection itself, for what only SQLite has: online backup, integrity checks. */
    readonly db: Db,
    path: string,
    /** Checkpoints the log off the event loop (see wal-checkpointer.ts); none for `:memory:`. */
    readonly checkpointer?: WalCheckpointer,
  ) {
    this.description = `SQLite ${path}`;
  }

  static open(path: string): SqliteStore {
    const db = openMigratedDatabase(path, sqliteMigrations, { product: 'Breadcast coordinator' });
    if (path === ':memory:') return new SqliteStore(db, path);
    db.pragma(`wal_autocheckpoint = ${writerCheckpointPages}`);
    return new SqliteStore(db, path, WalCheckpointer.start(path));
  }

  /** The prepared statement for a query text, prepared once. */
  statement(text: string): Database.Statement {
    let statement = this.statements.get(text);
    if (!statement) {
      statement = this.db.prepare(text);
      this.statements.set(text, statement);
    }
    return statement;
  }

  async all<T>(text: string, params: readonly SqlValue[] = []): Promise<T[]> {
    return this.exclusive(() => this.statement(text).all(...params) as T[]);
  }

  async get<T>(text: string, params: readonly SqlValue[] = []): Promise<T | undefined> {
    return this.exclusive(() => this.statement(text).get(...params) as T | undefined);
  }

  async run(text: string, params: readonly SqlValue[] = []): Promise<number> {
    return this.exclusive(() => this.statement(text).run(...params).changes);
  }

  async transaction<T>(work: (tx: Tx) => Promise<T>): Promise<T> {
    await this.acquire();
    try {
      // IMMEDIATE takes the write lock now, so another process (a backup, the CLI) makes this
      // wait for the busy timeout at the start instead of failing halfway.
      this.db.exec('BEGIN IMMEDIATE');
      const tx = new SqliteTx(this);
      try {
        const result = await work(tx);
        this.db.exec('COMMIT');
        return result;
      } catch (error) {
        if (this.db.inTransaction) this.db.exec('ROLLBACK');
        throw error;
      } finally {
        tx.end();
      }
    } finally {
      this.release();
    }
  }

  async close(): Promise<void> {
    await this.acquire();
    await this.checkpointer?.stop();
    this.statements.clear();
    this.db.close();
  }

  private async exclusive<T>(query: () => T): Promise<T> {
    if (this.locked) await this.acquire();
    else this.locked = true;
    try {
      return query();
    } finally {
      this.release();
    }
  }

  private acquire(): Promise<void> {
    if (!this.locked) {
      this.locked = true;
      return Promise.resolve();
    }
    return new Promise<void>((resolve, reject) => {
      const granted = () => {
        clearTimeout(timer);
        resolve();
      };
      const timer = setTimeout(() => {
        const index = this.waiters.indexOf(granted);
        if (index >= 0) this.waiters.splice(index, 1);
        reject(
          new StoreBusyError(
            `the coordinator database stayed busy for ${lockWaitMs / 1000} s (a long transaction)`,
          ),
        );
      }, lockWaitMs);
      this.waiters.push(granted);
    });
  }

  /** Hands the lock straight to the next waiter, so nobody can slip in between. */
  private release(): void {
    const next = this.waiters.shift();
    if (next) next();
    else this.locked = false;
  }
}

/** Statements of one open transaction; savepoints for nested transactions. */
class SqliteTx implements Tx {
  readonly dialect = 'sqlite' as const;
  private open = true;
  private savepoints = 0;

  constructor(private readonly store: SqliteStore) {}

  end(): void {
    this.open = false;
  }

  private statement(text: string): Database.Statement {
    if (!this.open) throw new Error('this transaction has already ended');
    return this.store.statement(text);
  }

  async all<T>(text: string, params: readonly SqlValue[] = []): Promise<T[]> {
    return this.statement(text).all(...params) as T[];
  }

  async get<T>(text: string, params: readonly SqlValue[] = []): Promise<T | undefined> {
    return this.statement(text).get(...params) as T | undefined;
  }

  async run(text: string, params: readonly SqlValue[] = []): Promise<number> {
    return this.statement(text).run(...params).changes;
  }

  async transaction<T>(work: (tx: Tx) => Promise<T>): Promise<T> {
    const name = `s${++this.savepoints}`;
    this.statement(`SAVEPOINT ${name}`).run();
    try {
      const result = await work(this);
      this.statement(`RELEASE ${name}`).run();
      return result;
    } catch (error) {
      this.statement(`ROLLBACK TO ${name}`).run();
      this.statement(`RELEASE ${name}`).run();
      throw error;
    }
  }

  async lock(): Promise<void> {}
}
