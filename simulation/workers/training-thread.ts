import { parentPort } from 'node:worker_threads';
import { evaluate, initTrainer, trainLocal } from '../../federated/model/train.ts';
import type { PoolReply, PoolRequest } from './protocol.ts';
import { fromColumns } from './sample-columns.ts';

/** A pool thread: trains and evaluates jobs one at a time, off the parent's event loop. */
const port = parentPort!;
const reply = (message: PoolReply, transfer: ArrayBuffer[] = []) =>
  port.postMessage(message, transfer);

async function run({ id, job }: PoolRequest): Promise<void> {
  try {
    const samples = fromColumns(job.samples);
    if (job.kind === 'train') {
      const result = await trainLocal({
        samples,
        ...(job.initialWeights ? { initialWeights: job.initialWeights } : {}),
        epochs: job.epochs,
        learningRate: job.learningRate,
        batchSize: job.batchSize,
        seed: job.seed,
      });
      reply({ type: 'done', id, result }, [result.weights.buffer as ArrayBuffer]);
    } else {
      reply({ type: 'done', id, result: evaluate(job.weights, samples) });
    }
  } catch (error) {
    reply({ type: 'failed', id, message: error instanceof Error ? error.message : String(error) });
  }
}

// Jobs arrive one at a time (the pool waits for each answer), so they never interleave here.
void initTrainer().then((backend) => {
  reply({ type: 'ready', backend });
  port.on('message', (request: PoolRequest) => void run(request));
});
