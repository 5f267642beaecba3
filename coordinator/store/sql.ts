/**
 * The coordinator's one store interface. Both stores (embedded SQLite, PostgreSQL) speak it, and
 * every module of coordinator/ reads and writes through it, so the round engine, routes and
 * views never know which one runs.
 *
 * Queries are plain SQL in the subset both databases understand, with `?` placeholders (the
 * PostgreSQL store numbers them). Where the dialects differ, a module asks `sql.dialect` or uses
 * the helpers below; the store suite (test/integration/store-suite.test.ts) runs every query on
 * both.
 */
export type Dialect = 'sqlite' | 'postgres';

/** What a query parameter may be: no booleans (SQLite has none), no Dates (store ISO text). */
export type SqlValue = string | number | bigint | Buffer | null;

export interface Sql {
  readonly dialect: Dialect;
  all<T>(text: string, params?: readonly SqlValue[]): Promise<T[]>;
  get<T>(text: string, params?: readonly SqlValue[]): Promise<T | undefined>;
  /** Runs a statement that returns no rows; resolves to the number of rows it changed. */
  run(text: string, params?: readonly SqlValue[]): Promise<number>;
  /**
   * Runs `work` in one transaction: committed when it resolves, rolled back when it throws.
   * Inside a transaction this opens a savepoint instead. Keep `work` short and free of slow
   * awaits (crypto, network): the SQLite store runs one transaction at a time, and PostgreSQL
   * holds its row locks until the end.
   */
  transaction<T>(work: (tx: Tx) => Promise<T>): Promise<T>;
}

export interface Tx extends Sql {
  /**
   * Waits for a named lock held until this transaction ends, for work no single row guards
   * (seeding the registry, claiming a scheduled slot). SQLite: nothing to do, its transactions
   * already run one at a time.
   */
  lock(name: string): Promise<void>;
}

export type StoreKind = 'sqlite' | 'postgres';

export interface CoordinatorStore extends Sql {
  readonly kind: StoreKind;
  /** For logs and errors: the file or host/database, never a password. */
  readonly description: string;
  close(): Promise<void>;
}

/**
 * Row lock for `SELECT … FROM rounds WHERE id = ?` inside a transaction: `update` for a phase
 * change or a read-modify-write of the round, `share` for work that must not overlap a phase
 * change (an upload). SQLite's transactions are already serial, so it needs none.
 */
export function rowLock(sql: Sql, mode: 'update' | 'share' | undefined): string {
  if (!mode || sql.dialect !== 'postgres') return '';
  return mode === 'update' ? ' FOR UPDATE' : ' FOR SHARE';
}

/**
 * Splits many rows into runs of 1, 2, 4, … up to `max` (13 = 8 + 4 + 1), so a statement with one
 * placeholder group per row comes in a few texts the stores prepare once, not one per count.
 */
export function powerOfTwoChunks<T>(items: readonly T[], max = 256): T[][] {
  const chunks: T[][] = [];
  let start = 0;
  while (start < items.length) {
    let size = max;
    while (size > items.length - start) size >>= 1;
    chunks.push(items.slice(start, start + size));
    start += size;
  }
  return chunks;
}

/** A condition as a 0/1 number column (PostgreSQL would return a boolean). */
export const flag = (condition: string): string => `(CASE WHEN ${condition} THEN 1 ELSE 0 END)`;

/** The store could not take the request now (locked, or out of connections); it may be retried. */
export class StoreBusyError extends Error {
  readonly code = 'store-busy';
}

// SQLite: another process holds the file. PostgreSQL: too many connections, server starting or
// stopping, a lock or statement timeout.
const busyCodes = /^(SQLITE_(BUSY|LOCKED)|53300|57P03|55P03|57014)/;

/** Whether an error means "busy, try again" rather than a fault in the request or the code. */
export function isStoreBusy(error: unknown): boolean {
  if (error instanceof StoreBusyError) return true;
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && busyCodes.test(code);
}
