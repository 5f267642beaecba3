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
    const total = job.runs.length * job.epochs;
    const results = [];
    for (const [i, run] of job.runs.entries())
      results.push(
        await trainLocal({
          samples: job.samples,
          initialWeights: run.initialWeights ?? undefined,
          epochs: job.epochs,
          learningRate: run.learningRate,
          batchSize: job.batchSize,
          seed: run.seed,
          onProgress: ({ epoch, loss }) =>
            post({ type: 'progress', epoch: i * job.epochs + epoch, epochs: total, loss }),
        }),
      );
    const first = results[0]!;
    const metrics = evaluate(first.weights, job.samples.slice(-2000));
    post({
      type: 'trained',
      weights: results.map((r) => r.weights),
      lossBefore: first.lossBefore,
      lossAfter: first.lossAfter,
      samples: first.samples,
      metrics,
    });
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
