/**
 * A bakery process the fault tests can SIGKILL at a known moment:
 *   import DB CSV STORE N   — the real importer, stalled inside its transaction after N rows
 *   train DB                — the real training job (worker thread), reporting each epoch
 *   sync DB STORE DAYS      — the real sync client's runOnce with the harness's linear trainer
 * Each prints a line when it reached the point where the parent kills it.
 */
import { writeSync } from 'node:fs';
import { startTraining } from '../../electron/forecast/training-job.ts';
import { commitImport } from '../../electron/logs/import/importer.ts';
import { fileSource } from '../../electron/logs/import/source.ts';
import { openDatabase } from '../../electron/store/database.ts';
import { SyncClient } from '../../electron/sync/client.ts';
import { chainDays, linearTrainer } from '../integration/coordinator-harness.ts';

const [mode, dbPath, ...rest] = process.argv.slice(2);
const say = (line: string) => writeSync(1, `${line}\n`);
const db = openDatabase(dbPath!);

if (mode === 'import') {
  const [csv, store, after] = rest;
  let inserted = 0;
  // Connection-local: the file's schema is untouched, the importer's code path is the real one.
  db.function('stall_after_rows', () => {
    if (++inserted === Number(after)) {
      say(`mid-transaction ${inserted}`);
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0);
    }
    return null;
  });
  // Rows of products the file shares with the database are upserts: count updates too.
  for (const event of ['INSERT', 'UPDATE'])
    db.exec(
      `CREATE TEMP TRIGGER stall_import_${event} AFTER ${event} ON main.daily_logs BEGIN SELECT stall_after_rows(); END`,
    );
  await commitImport(db, fileSource(csv!), { store });
  say('committed');
} else if (mode === 'train') {
  await startTraining({
    db,
    trigger: 'manual',
    epochs: 200,
    onProgress: (p) => say(`epoch ${p.done}`),
  }).promise;
  say('trained');
} else if (mode === 'sync') {
  const [store, days] = rest;
  const client = new SyncClient({
    db,
    trainer: linearTrainer(chainDays(Number(store), 'roll', Number(days))),
    appVersion: '0.1.0',
  });
  say('syncing');
  const result = await client.runOnce();
  say(`synced ${result.message}`);
} else {
  throw new Error(`unknown mode ${mode}`);
}
db.close();
