import type { Db } from '../store/database.ts';

/** What the sync client remembers between runs, in the shop's settings table. */
export type SyncState = {
  coordinatorUrl: string;
  shopId: string;
  shopName: string;
  /** Ed25519 keys, base64 DER. The private key never leaves this database. */
  publicKey: string;
  privateKey: string;
  /** Coordinator clock minus ours, learnt from its answers; signatures use our clock plus this. */
  clockOffsetMs: number;
  lastSyncAt: string | null;
  lastError: string | null;
  modelVersion: number | null;
  currentRound: { id: number; phase: string; deadline: string | null } | null;
  nextRoundAt: string | null;
};

const key = 'sync.state';

export function loadSyncState(db: Db): SyncState | null {
  const row = db
    .prepare<[string], { value: string }>('SELECT value FROM settings WHERE key = ?')
    .get(key);
  return row ? (JSON.parse(row.value) as SyncState) : null;
}

export function saveSyncState(db: Db, state: SyncState): void {
  db.prepare(
    'INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value',
  ).run(key, JSON.stringify(state));
}

export function updateSyncState(db: Db, change: Partial<SyncState>): SyncState {
  return db.transaction(() => {
    const current = loadSyncState(db);
    if (!current) throw new Error('this bakery is not enrolled');
    const next = { ...current, ...change };
    saveSyncState(db, next);
    return next;
  })();
}
