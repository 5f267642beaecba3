import type { TrainingSample } from '../../federated/model/train.ts';
import type { ProductSeries } from './csv-histories.ts';

/** Sent to the worker once, as workerData. */
export type WorkerJob =
  | {
      kind: 'train';
      samples: TrainingSample[];
      initialWeights: Float32Array | null;
      epochs: number;
      learningRate: number;
      batchSize: number;
      seed: number;
    }
  | { kind: 'backtest'; products: ProductSeries[]; holdoutDays: number; seed: number };

export type WorkerMessage =
  | { type: 'backend'; backend: string }
  | { type: 'progress'; epoch: number; epochs: number; loss: number | null }
  | {
      type: 'trained';
      weights: Float32Array;
      lossBefore: number;
      lossAfter: number;
      samples: number;
      metrics: unknown;
    }
  | { type: 'backtested'; result: unknown }
  | { type: 'error'; message: string };
