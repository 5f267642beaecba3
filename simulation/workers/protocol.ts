import type { Metrics, TrainResult } from '../../federated/model/train.ts';
import type { SampleColumns } from './sample-columns.ts';

/** One unit of work for a pool thread. */
export type PoolJob =
  | {
      kind: 'train';
      samples: SampleColumns;
      initialWeights: Float32Array | null;
      epochs: number;
      learningRate: number;
      batchSize: number;
      seed: number;
    }
  | { kind: 'evaluate'; samples: SampleColumns; weights: Float32Array };

export type PoolResult<J extends PoolJob> = J extends { kind: 'train' } ? TrainResult : Metrics;

/** Parent → thread: a job with its number. */
export type PoolRequest = { id: number; job: PoolJob };

/** Thread → parent. */
export type PoolReply =
  | { type: 'ready'; backend: string }
  | { type: 'done'; id: number; result: TrainResult | Metrics }
  | { type: 'failed'; id: number; message: string };
