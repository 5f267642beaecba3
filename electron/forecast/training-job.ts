import { Worker } from 'node:worker_threads';
import { extractSamples } from '../../federated/features/extract.ts';
import type { Db } from '../store/database.ts';
import type { BacktestResult } from './backtest.ts';
import type { ProductSeries } from './csv-histories.ts';
import { loadHistories } from './histories.ts';
import {
  activeModel,
  recordUnfinishedRun,
  saveTrainedModel,
  type FinishedRun,
} from './model-store.ts';
import { trainingSettings } from './training-settings.ts';
import {
  consortiumMembers,
  consortiumTrainings,
  ownDays,
  type PlannedTraining,
} from './consortium-model.ts';
import { loadGlobalModel } from '../sync/global-models.ts';
import { loadSyncState } from '../sync/state.ts';
import { parameterCount } from '../../federated/model/shape.ts';
import type { WorkerJob, WorkerMessage } from './worker-protocol.ts';

// From source (tsx) a small .mjs registers the TypeScript loader first; in the compiled app the
// bundler emits training-worker.cjs next to the backend bundle (build/compile-electron.mjs).
const workerEntry = import.meta.url.endsWith('.ts')
  ? new URL('./training-worker.mjs', import.meta.url)
  : new URL('./training-worker.cjs', import.meta.url);

export type Progress = { done: number; total: number; loss: number | null };

export type TrainingOutcome = {
  runId: number;
  modelVersionId: number;
  backend: string;
  samples: number;
  epochs: number;
  lossBefore: number;
  lossAfter: number;
  seconds: number;
};

export class TrainingError extends Error {
  constructor(
    message: string,
    readonly status: 'failed' | 'cancelled',
    readonly runId: number | null,
  ) {
    super(message);
  }
}

type Running = { promise: Promise<WorkerMessage & { backend: string }>; cancel(): void };

/** Runs one job in a worker thread; resolves with its final message, rejects on crash/cancel. */
function runInWorker(
  job: WorkerJob,
  onProgress: (p: Progress) => void,
  entry: URL = workerEntry,
): Running {
  const worker = new Worker(entry, { workerData: job });
  let backend = 'unknown';
  let cancelled = false;
  const promise = new Promise<WorkerMessage & { backend: string }>((resolve, reject) => {
    let settled = false;
    worker.on('message', (message: WorkerMessage) => {
      if (message.type === 'backend') backend = message.backend;
      else if (message.type === 'progress')
        onProgress({ done: message.epoch, total: message.epochs, loss: message.loss });
      else {
        settled = true;
        void worker.terminate();
        if (message.type === 'error') reject(new Error(message.message));
        else resolve({ ...message, backend });
      }
    });
    worker.on('error', (error) => {
      settled = true;
      reject(error);
    });
    worker.on('exit', (code) => {
      if (settled) return;
      reject(
        cancelled
          ? new Error('cancelled')
          : new Error(`training worker stopped (exit code ${code})`),
      );
    });
  });
  return {
    promise,
    cancel: () => {
      cancelled = true;
      void worker.terminate();
    },
  };
}

export type TrainingJobOptions = {
  db: Db;
  trigger: FinishedRun['trigger'];
  now?: () => Date;
  onProgress?: (p: Progress) => void;
  seed?: number;
  /** Override the production settings (tests use a few epochs). */
  epochs?: number;
  /** The worker script; tests hand in one that wraps the real worker to kill it mid-run. */
  workerEntry?: URL;
};

/**
 * The consortium model a nightly run adapts: the newest merged model the sync client downloaded
 * (version 1 is the coordinator's untrained start, never a merge), else the one the active model
 * came from. Each night adapts it afresh (never last night's adaptation) and forecasts with the
 * model `consortiumModel` defines (the same trainings, run here in the worker); a bakery outside
 * any consortium trains on from its own model.
 */
function heldGlobalModel(
  db: Db,
  current: ReturnType<typeof activeModel>,
): { version: number; weights: Float32Array } | null {
  const downloaded = loadSyncState(db)?.modelVersion ?? null;
  const candidates = [downloaded !== null && downloaded > 1 ? downloaded : null];
  candidates.push(current?.globalVersion ?? null);
  for (const version of candidates) {
    if (version === null) continue;
    const weights = loadGlobalModel(db, version);
    if (weights && weights.length === parameterCount()) return { version, weights };
  }
  return null;
}

export type TrainingHandle = { promise: Promise<TrainingOutcome>; cancel(): void };

/**
 * Trains on the bakery's own logs in a worker thread, starting from the active model (the
 * consortium's, once there is one). Only when training completes are the model and its run
 * written, in one transaction: a crash or cancel leaves the active model exactly as it was.
 */
export function startTraining(options: TrainingJobOptions): TrainingHandle {
  const now = options.now ?? (() => new Date());
  const startedAt = now().toISOString();
  const samples = loadHistories(options.db).flatMap((p) => extractSamples(p.history));
  const current = activeModel(options.db);
  const global = heldGlobalModel(options.db, current);
  const settings = trainingSettings(samples.length);
  const epochs = options.epochs ?? settings.epochs;
  const seed = options.seed ?? 1;
  const runs: PlannedTraining[] = global
    ? consortiumTrainings(global.weights, samples.length, seed)
    : [
        {
          initialWeights: current?.weights ?? null,
          learningRate: settings.learningRate,
          seed,
        },
      ];
  const started = performance.now();
  let cancelled = false;
  if (samples.length === 0) {
    const runId = recordUnfinishedRun(options.db, {
      startedAt,
      finishedAt: now().toISOString(),
      trigger: options.trigger,
      status: 'failed',
      error:
        'not enough history: a product needs 14 open days logged before it can teach the model',
    });
    return {
      promise: Promise.reject(
        new TrainingError('not enough history to train on yet', 'failed', runId),
      ),
      cancel: () => {},
    };
  }
  const running = runInWorker(
    {
      kind: 'train',
      samples: samples.map(({ x, y, censored, level, sold }) => ({ x, y, censored, level, sold })),
      runs,
      epochs,
      batchSize: settings.batchSize,
    },
    (p) => options.onProgress?.(p),
    options.workerEntry,
  );
  const promise = running.promise.then(
    (message) => {
      if (message.type !== 'trained') throw new Error('unexpected worker answer');
      const run: FinishedRun = {
        startedAt,
        finishedAt: now().toISOString(),
        trigger: options.trigger,
        backend: message.backend,
        samples: message.samples,
        epochs,
        lossBefore: message.lossBefore,
        lossAfter: message.lossAfter,
      };
      const ids = saveTrainedModel(
        options.db,
        {
          weights: global
            ? consortiumMembers(global.weights, message.weights, ownDays(samples))
            : message.weights[0]!,
          // Trained on from the consortium model: the bakery's local adaptation (never sent).
          source: global ? 'adapted' : 'local',
          globalVersion: global?.version ?? null,
          metrics: message.metrics,
        },
        run,
      );
      return {
        ...ids,
        backend: message.backend,
        samples: message.samples,
        epochs,
        lossBefore: message.lossBefore,
        lossAfter: message.lossAfter,
        seconds: (performance.now() - started) / 1000,
      };
    },
    (error: Error) => {
      const status = cancelled ? 'cancelled' : 'failed';
      const runId = recordUnfinishedRun(options.db, {
        startedAt,
        finishedAt: now().toISOString(),
        trigger: options.trigger,
        status,
        error: cancelled ? 'cancelled' : error.message,
      });
      throw new TrainingError(cancelled ? 'training cancelled' : error.message, status, runId);
    },
  );
  return {
    promise,
    cancel: () => {
      cancelled = true;
      running.cancel();
    },
  };
}

/** The backtest, off the main thread (it trains a model). */
export function startBacktest(
  products: ProductSeries[],
  holdoutDays: number,
  onProgress?: (p: Progress) => void,
): { promise: Promise<BacktestResult>; cancel(): void } {
  const running = runInWorker({ kind: 'backtest', products, holdoutDays, seed: 1 }, (p) =>
    onProgress?.(p),
  );
  return {
    promise: running.promise.then((m) => {
      if (m.type !== 'backtested') throw new Error('unexpected worker answer');
      return m.result as BacktestResult;
    }),
    cancel: running.cancel,
  };
}
