import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { Metrics, TrainingSample, TrainResult } from '../../federated/model/train.ts';
import type { PoolJob, PoolReply, PoolRequest } from './protocol.ts';
import { toColumns, type SampleColumns } from './sample-columns.ts';

const threadEntry = new URL('./training-thread.mjs', import.meta.url);

type Pending = { id: number; job: PoolJob; resolve(value: unknown): void; reject(e: Error): void };

type Thread = {
  worker: Worker;
  ready: boolean;
  busy: Pending | null;
};

export type TrainJob = {
  samples: SampleColumns | readonly TrainingSample[];
  initialWeights?: Float32Array | null;
  epochs: number;
  learningRate: number;
  batchSize: number;
  seed: number;
};

// Simulated bakeries send the same sample arrays every round: pack each array once.
const packed = new WeakMap<readonly TrainingSample[], SampleColumns>();

function columnsOf(samples: SampleColumns | readonly TrainingSample[]): SampleColumns {
  if (isColumns(samples)) return samples;
  let columns = packed.get(samples);
  if (!columns) packed.set(samples, (columns = toColumns(samples)));
  return columns;
}

function isColumns(samples: SampleColumns | readonly TrainingSample[]): samples is SampleColumns {
  return !Array.isArray(samples);
}

/**
 * Worker threads that train and evaluate models, one job per thread at a time, queued in
 * order. Sized to the machine's cores by default, so a simulation uses all of them while the
 * parent's event loop stays free to serve the coordinator's HTTP. A thread that dies fails
 * only the job it was running and is replaced.
 */
export class TrainingPool {
  readonly size: number;
  private readonly threads: Thread[] = [];
  private readonly queue: Pending[] = [];
  private nextId = 1;
  private closed = false;
  private backendName: string | null = null;

  constructor(options: { size?: number } = {}) {
    this.size = Math.max(1, options.size ?? availableParallelism());
    for (let i = 0; i < this.size; i++) this.threads.push(this.spawn());
  }

  /** What the threads compute with (known once one has started). */
  get backend(): string | null {
    return this.backendName;
  }

  train(job: TrainJob): Promise<TrainResult> {
    return this.submit({
      kind: 'train',
      samples: columnsOf(job.samples),
      initialWeights: job.initialWeights ?? null,
      epochs: job.epochs,
      learningRate: job.learningRate,
      batchSize: job.batchSize,
      seed: job.seed,
    }) as Promise<TrainResult>;
  }

  evaluate(
    weights: Float32Array,
    samples: SampleColumns | readonly TrainingSample[],
  ): Promise<Metrics> {
    return this.submit({
      kind: 'evaluate',
      weights,
      samples: columnsOf(samples),
    }) as Promise<Metrics>;
  }

  /** Stops every thread; queued and running jobs are rejected. */
  async close(): Promise<void> {
    this.closed = true;
    const stopped = new Error('the training pool was closed');
    for (const pending of this.queue.splice(0)) pending.reject(stopped);
    await Promise.all(
      this.threads.map(async (t) => {
        t.busy?.reject(stopped);
        t.busy = null;
        await t.worker.terminate();
      }),
    );
  }

  private submit(job: PoolJob): Promise<unknown> {
    if (this.closed) return Promise.reject(new Error('the training pool was closed'));
    return new Promise((resolve, reject) => {
      this.queue.push({ id: this.nextId++, job, resolve, reject });
      this.dispatch();
    });
  }

  private dispatch(): void {
    for (const thread of this.threads) {
      if (this.queue.length === 0) break;
      if (!thread.ready || thread.busy) continue;
      const pending = this.queue.shift()!;
      thread.busy = pending;
      const request: PoolRequest = { id: pending.id, job: pending.job };
      thread.worker.postMessage(request);
    }
    // Work in hand keeps the process alive; an idle pool does not hold a finished command open.
    const working = this.queue.length > 0 || this.threads.some((t) => t.busy);
    for (const t of this.threads) {
      if (working) t.worker.ref();
      else t.worker.unref();
    }
  }

  private spawn(): Thread {
    const thread: Thread = {
      worker: new Worker(threadEntry),
      ready: false,
      busy: null,
    };
    thread.worker.on('message', (reply: PoolReply) => {
      if (reply.type === 'ready') {
        thread.ready = true;
        this.backendName ??= reply.backend;
      } else if (thread.busy?.id === reply.id) {
        const pending = thread.busy;
        thread.busy = null;
        if (reply.type === 'done') pending.resolve(reply.result);
        else pending.reject(new Error(reply.message));
      }
      this.dispatch();
    });
    const replace = (reason: string) => {
      const index = this.threads.indexOf(thread);
      if (index < 0) return;
      const pending = thread.busy;
      thread.busy = null;
      if (this.closed) return;
      this.threads[index] = this.spawn();
      pending?.reject(new Error(reason));
      this.dispatch();
    };
    thread.worker.on('error', (error) => replace(`training thread failed: ${error.message}`));
    thread.worker.on('exit', (code) => replace(`training thread stopped (exit code ${code})`));
    thread.worker.unref();
    return thread;
  }
}
