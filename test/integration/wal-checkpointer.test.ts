import Database from 'better-sqlite3';
import { copyFileSync, existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { SqliteStore } from '../../coordinator/store/sqlite-store.ts';
import { tempDir } from './coordinator-harness.ts';

let store: SqliteStore | undefined;
afterEach(async () => {
  await store?.close();
  store = undefined;
});

/** Writes `count` audit events of ~4 KiB each, one transaction per event (a burst's commits). */
async function writeEvents(target: SqliteStore, count: number, from = 0) {
  for (let i = from; i < from + count; i++)
    await target.transaction((tx) =>
      tx.run('INSERT INTO events (at, actor, kind, detail) VALUES (?, ?, ?, ?)', [
        new Date().toISOString(),
        'test',
        `write-${i}`,
        'x'.repeat(4000),
      ]),
    );
}

describe("the SQLite store's log is copied into the database file by a thread of its own", () => {
  it('after a checkpoint the database file alone holds every committed row, and the writer restarts the log instead of growing it', async () => {
    const dir = tempDir('breadcast-wal-');
    const path = join(dir, 'coordinator.db');
    store = SqliteStore.open(path);
    const checkpointer = store.checkpointer!;
    await writeEvents(store, 300);
    // SQLite's own threshold (1000 pages) is not what copies them: the writer's is far higher.
    expect(store.db.pragma('wal_autocheckpoint', { simple: true })).toBeGreaterThan(1000);
    const report = await checkpointer.next();
    expect(report).toEqual({ checkpointed: expect.any(Number) });
    expect((report as { checkpointed: number }).checkpointed).toBeGreaterThan(0);

    // The file without its log: what a crash would leave if the log were lost.
    copyFileSync(path, join(dir, 'copy.db'));
    const copy = new Database(join(dir, 'copy.db'));
    try {
      const rows = copy.prepare("SELECT COUNT(*) AS n FROM events WHERE actor = 'test'").get();
      expect(rows).toEqual({ n: 300 });
    } finally {
      copy.close();
    }

    // Once copied, the next commits overwrite the log from its start: it stays about the size of
    // one burst (a log never restarted would hold all four).
    const logBytes = statSync(`${path}-wal`).size;
    for (let burst = 0; burst < 3; burst++) {
      await writeEvents(store, 300, 300 * (burst + 1));
      await checkpointer.next();
    }
    expect(statSync(`${path}-wal`).size).toBeLessThan(2 * logBytes);
    const after = await store.get<{ n: number }>(
      "SELECT COUNT(*) AS n FROM events WHERE actor = 'test'",
    );
    expect(after).toEqual({ n: 1200 });
  });

  it('closing the store stops the thread and leaves a complete database with no log beside it', async () => {
    const dir = tempDir('breadcast-wal-');
    const path = join(dir, 'coordinator.db');
    const closing = SqliteStore.open(path);
    await writeEvents(closing, 50);
    await closing.close();
    expect(existsSync(`${path}-wal`)).toBe(false);
    const reopened = new Database(path);
    try {
      expect(
        reopened.prepare("SELECT COUNT(*) AS n FROM events WHERE actor = 'test'").get(),
      ).toEqual({
        n: 50,
      });
    } finally {
      reopened.close();
    }
  });
});
