/**
 * One bakery's nightly job, measured in a process of its own (so its peak memory is its own):
 * the daily-logs CSV is imported into a fresh shop database and a first night is trained
 * (setup, not measured) to give the bakery last night's model. Then the night is measured as
 * the app runs it: the scheduler's trigger → `TrainingManager.runNight` (training in the worker
 * thread; the sync is skipped, the bakery is not enrolled; no weather provider) → tomorrow's
 * forecast (`forecastDay`, which the forecast screen asks for in the morning).
 *
 * `one`: a bakery on its own — one network trained on from its own model. `six`: a consortium
 * bakery — the setup's network is stored as the downloaded merged model and the night adapts it
 * into the six-network forecast model (`consortiumTrainings`).
 *
 * node --import tsx simulation/bench/nightly-night.ts FILE one|six
 * prints one JSON line (see `NightFigures`); `measureNight` does the same in the caller's process.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { pino } from 'pino';
import { openDatabase } from '../../electron/store/database.ts';
import { commitImport } from '../../electron/logs/import/importer.ts';
import { fileSource } from '../../electron/logs/import/source.ts';
import { startTraining } from '../../electron/forecast/training-job.ts';
import { TrainingManager } from '../../electron/forecast/training-manager.ts';
import { activeModel, saveTrainedModel } from '../../electron/forecast/model-store.ts';
import { forecastDay } from '../../electron/forecast/forecast-service.ts';
import { storeGlobalModel } from '../../electron/sync/global-models.ts';
import { EventBus } from '../../electron/backend/events.ts';
import { addDays } from '../../federated/calendar/dates.ts';

export type NightFigures = {
  mode: 'one' | 'six';
  products: number;
  samples: number;
  networks: number;
  epochs: number;
  /** The night (train + forecast), all threads of the process: user + system CPU. */
  cpuSeconds: number;
  /** Of which the training (reading the history, the worker's trainings, saving the model). */
  trainCpuSeconds: number;
  wallSeconds: number;
  trainWallSeconds: number;
  forecastWallSeconds: number;
  /** Peak resident memory of the whole process (import and setup night included), MB. */
  peakRssMb: number;
};

/** One night of the bakery in `file` (a daily-logs CSV), measured in this process. */
export async function measureNight(
  file: string,
  mode: NightFigures['mode'],
): Promise<NightFigures> {
  const dir = mkdtempSync(join(tmpdir(), 'breadcast-nightly-'));
  const databasePath = join(dir, 'shop.sqlite');
  const db = openDatabase(databasePath);
  try {
    await commitImport(db, fileSource(file), {});
    const last = (db.prepare('SELECT max(date) AS d FROM daily_logs').get() as { d: string }).d;
    // The night after the last logged day, at 02:00 UTC (the default slot; the zone is UTC).
    const night = new Date(`${addDays(last, 1)}T02:00:00Z`);
    const setup = await startTraining({ db, trigger: 'manual', now: () => night }).promise;
    if (mode === 'six') {
      // The consortium's merged model as the sync client would have stored it, and last night's
      // adaptation of it as the active model: what a consortium bakery holds before a night.
      const held = activeModel(db)!.weights;
      storeGlobalModel(db, 2, held, night);
      saveTrainedModel(
        db,
        { weights: held, source: 'adapted', globalVersion: 2 },
        {
          startedAt: night.toISOString(),
          finishedAt: night.toISOString(),
          trigger: 'manual',
          backend: 'setup',
          samples: setup.samples,
          epochs: setup.epochs,
          lossBefore: setup.lossBefore,
          lossAfter: setup.lossAfter,
        },
      );
    }
    const manager = new TrainingManager({
      db,
      databasePath,
      events: new EventBus(),
      log: pino({ level: 'silent' }),
      now: () => night,
      transport: 'http',
      weather: null,
    });
    const cpu = process.cpuUsage();
    const started = performance.now();
    await manager.scheduler.trigger('schedule');
    const trained = performance.now();
    const trainCpu = process.cpuUsage(cpu);
    const forecast = await forecastDay(db, { now: night, date: addDays(last, 1) });
    const ended = performance.now();
    const used = process.cpuUsage(cpu);
    const run = manager.lastRun();
    if (run?.status !== 'succeeded')
      throw new Error(`the night's training did not succeed: ${run?.error}`);
    const model = activeModel(db)!;
    return {
      mode,
      products: forecast.products.length,
      samples: run.samples ?? 0,
      networks: model.members?.length ?? 1,
      epochs: run.epochs ?? 0,
      cpuSeconds: (used.user + used.system) / 1e6,
      trainCpuSeconds: (trainCpu.user + trainCpu.system) / 1e6,
      wallSeconds: (ended - started) / 1000,
      trainWallSeconds: (trained - started) / 1000,
      forecastWallSeconds: (ended - trained) / 1000,
      peakRssMb: process.resourceUsage().maxRSS / 1024,
    };
  } finally {
    db.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const [file, mode] = process.argv.slice(2);
  if (!file || (mode !== 'one' && mode !== 'six'))
    throw new Error('usage: nightly-night.ts FILE one|six');
  process.stdout.write(`${JSON.stringify(await measureNight(file, mode))}\n`);
}
