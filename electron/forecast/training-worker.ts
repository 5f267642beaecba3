import { parentPort, workerData } from 'node:worker_threads';
import { evaluate, initTrainer, trainLocal } from '../../federated/model/train.ts';
import { backtest } from './backtest.ts';
import type { WorkerJob, WorkerMessage } from './worker-protocol.ts';

/** Runs one job off the main thread and reports back; all database writes stay in the parent. */
const port = parentPort!;
const post = (message: WorkerMessage) => port.postMessage(message);

// No top-level await: the compiled app bundles this file as CommonJS.
async function run(job: WorkerJob): Promise<void> {
  const backend = await initTrainer();
  post({ type: 'backend', backend });
  if (job.kind === 'train') {
    const result = await trainLocal({
      samples: job.samples,
      initialWeights: job.initialWeights ?? undefined,
      epochs: job.epochs,
      learningRate: job.learningRate,
      batchSize: job.batchSize,
      seed: job.seed,
      onProgress: ({ epoch, epochs, loss }) => post({ type: 'progress', epoch, epochs, loss }),
    });
    const metrics = evaluate(result.weights, job.samples.slice(-2000));
    post({ type: 'trained', ...result, metrics });
  } else {
    const result = await backtest(job.products, {
      holdoutDays: job.holdoutDays,
      seed: job.seed,
      onProgress: (epoch, epochs) => post({ type: 'progress', epoch, epochs, loss: null }),
    });
    post({ type: 'backtested', result });
  }
}

run(workerData as WorkerJob).catch((error: unknown) =>
  post({ type: 'error', message: error instanceof Error ? error.message : String(error) }),
);
