import { spawnSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildCoordinator } from '../../coordinator/app.ts';
import {
  backupCoordinatorDatabase,
  restoreCoordinatorDatabase,
} from '../../coordinator/store/backup.ts';
import { openCoordinatorStore } from '../../coordinator/store/database.ts';
import { insertModel, setCurrentModelVersion } from '../../coordinator/store/models.ts';
import type { CoordinatorStore } from '../../coordinator/store/sql.ts';
import { tempDir } from './coordinator-harness.ts';
import { at, dashboardViews, enrol, writeHistory } from '../support/coordinator-history.ts';
import { projectRoot } from '../support/coordinator-process.ts';
import { httpClient } from '../support/http-client.ts';
import { postgresTarget, sqliteTarget } from '../support/store-targets.ts';

/**
 * Backups of both stores, taken while a coordinator serves the database, restored elsewhere and
 * served again: SQLite through its online backup API, PostgreSQL through pg_dump and pg_restore
 * (Debian's binaries, against the server this file starts).
 */
const silent = pino({ level: 'silent' });

/** The shipped CLI, as an operator runs it. */
function cli(...args: string[]): { status: number | null; output: string } {
  const result = spawnSync(process.execPath, ['bin/breadcast.mjs', 'coordinator', ...args], {
    cwd: projectRoot,
    encoding: 'utf8',
    timeout: 120_000,
  });
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
}

for (const target of [sqliteTarget(), postgresTarget()]) {
  describe.skipIf(target.skip)(`backups of the ${target.kind} store`, () => {
    const dir = tempDir(`breadcast-backup-${target.kind}-`);
    const open: CoordinatorStore[] = [];
    let n = 0;
    /** A place to restore into: a new file name, or a new empty database. */
    const emptyTarget = async () =>
      target.kind === 'sqlite'
        ? join(dir, `restored-${++n}.db`)
        : target.server().createDatabase(`restored_${++n}`);
    beforeAll(() => target.start(), 120_000);
    afterAll(async () => {
      for (const store of open) await store.close().catch(() => undefined);
      await target.stop();
    });

    it('backs up a served database while it is written to, restores it elsewhere, and the restored copy serves the same history and carries on', async () => {
      const { store, database } = await target.fresh();
      open.push(store);
      const names = await writeHistory(store);
      const app = await buildCoordinator({
        db: store,
        logger: silent,
        initialWeights: () => new Float32Array(4),
        schedule: false,
      });
      open.push(await target.connect(database));
      const writer = open.at(-1)!;
      try {
        await app.listen({ host: '127.0.0.1', port: 0 });
        const shopsBefore = (await writer.get<{ c: number }>('SELECT COUNT(*) AS c FROM shops'))!.c;

        // Online: shops keep enrolling through another connection while the backup runs.
        let writing = true;
        const enrolling = (async () => {
          for (let i = 0; writing; i++) {
            await enrol(writer, `Busy ${i}`, at(200 + i));
            // SQLite answers at once: without a turn of the event loop the backup never runs.
            await new Promise((resolve) => setImmediate(resolve));
          }
        })();
        const busyFile = join(dir, 'busy.backup');
        const busy = await backupCoordinatorDatabase(database, busyFile);
        writing = false;
        await enrolling;
        const shopsAfter = (await writer.get<{ c: number }>('SELECT COUNT(*) AS c FROM shops'))!.c;
        expect(shopsAfter).toBeGreaterThan(shopsBefore);
        expect(busy.bytes).toBeGreaterThan(0);
        const busyRestored = await restoreCoordinatorDatabase(busyFile, await emptyTarget());
        // A consistent snapshot of some moment during the backup.
        expect(busyRestored.shops).toBeGreaterThanOrEqual(shopsBefore);
        expect(busyRestored.shops).toBeLessThanOrEqual(shopsAfter);
        expect(busyRestored.rounds).toBe(3);

        // The operator's command, against the database the coordinator is serving.
        const file = join(dir, 'nightly.backup');
        const backup = cli('--database', database, '--backup', file);
        expect(backup.output).toMatch(/Backup written/);
        expect(backup.status).toBe(0);
        expect(cli('--database', database, '--backup', file).output).toMatch(/already exists/);

        const restoredAt = await emptyTarget();
        const restore = cli('--database', restoredAt, '--restore', file);
        expect(restore.status, restore.output).toBe(0);
        expect(restore.output).toContain(`${shopsAfter} shops, 3 rounds, 1 model`);
        // Never over live data.
        const again = cli('--database', restoredAt, '--restore', file);
        expect(again.status).not.toBe(0);
        expect(again.output).toMatch(/already exists|is not empty/);

        const restored = await openCoordinatorStore(restoredAt);
        open.push(restored);
        expect(await dashboardViews(restored, names)).toEqual(await dashboardViews(store, names));
        const served = await buildCoordinator({
          db: restored,
          logger: silent,
          initialWeights: () => new Float32Array(4),
          schedule: false,
        });
        try {
          await served.listen({ host: '127.0.0.1', port: 0 });
          const port = (served.server.address() as { port: number }).port;
          const health = await httpClient(`http://127.0.0.1:${port}`)({
            method: 'GET',
            url: '/health',
          });
          expect(health.statusCode).toBe(200);
          // The restored coordinator carries on: it knows round 3 is still running, and numbers
          // what comes next after the restored rows (PostgreSQL: the sequences came along).
          const { engine } = served.coordinator;
          await expect(engine.startRound('operator', { mode: 'plain' })).rejects.toMatchObject({
            code: 'round-active',
          });
          // That round was written by hand, without the secure-aggregation state a real one
          // carries, so the engine cannot close it: end it the way its deadline would.
          await restored.run("UPDATE rounds SET phase = 'failed' WHERE id = 3");
          expect((await engine.startRound('operator', { mode: 'plain' })).id).toBe(4);
          const model = await restored.transaction(async (tx) => {
            const row = await insertModel(
              tx,
              { weights: new Float32Array(4), roundId: null, parentVersion: 1, settings: null },
              at(401),
            );
            await setCurrentModelVersion(tx, row.version);
            return row.version;
          });
          expect(model).toBe(2);
          await enrol(restored, 'After the restore', at(402));
        } finally {
          await served.close();
        }
      } finally {
        await app.close();
      }
    });

    it('refuses a file that is not a coordinator backup, and a backup into an existing file', async () => {
      const bogus = join(dir, 'bogus.backup');
      if (target.kind === 'sqlite') {
        const other = new Database(bogus);
        other.exec('CREATE TABLE daily_logs (day TEXT)');
        other.close();
      } else writeFileSync(bogus, 'not a dump');
      await expect(restoreCoordinatorDatabase(bogus, await emptyTarget())).rejects.toThrow(
        target.kind === 'sqlite' ? /not a Breadcast coordinator database/ : /pg_restore failed/,
      );
      const missing = join(dir, 'missing.backup');
      await expect(restoreCoordinatorDatabase(missing, await emptyTarget())).rejects.toThrow(
        /does not exist/,
      );
      const { store, database } = await target.fresh();
      open.push(store);
      await expect(backupCoordinatorDatabase(database, bogus)).rejects.toThrow(/already exists/);
      expect(existsSync(`${bogus}.partial`)).toBe(false);
    });
  });
}
