import type { TrainingSample } from '../../federated/model/train.ts';
import type { ProductSeries } from './csv-histories.ts';
import type { PlannedTraining } from './consortium-model.ts';

/** Sent to the worker once, as workerData. */
export type WorkerJob =
  | {
      kind: 'train';
      samples: TrainingSample[];
      /** Trained one after another on the same samples. */
      runs: PlannedTraining[];
      epochs: number;
      batchSize: number;
    }
  | { kind: 'backtest'; products: ProductSeries[]; holdoutDays: number; seed: number };

export type WorkerMessage =
  | { type: 'backend'; backend: string }
  /** Epochs done over all runs. */
  | { type: 'progress'; epoch: number; epochs: number; loss: number | null }
  | {
      type: 'trained';
      /** One per run, in order. */
      weights: Float32Array[];
      /** The first run's losses and metrics. */
      lossBefore: number;
      lossAfter: number;
      samples: number;
      metrics: unknown;
    }
  | { type: 'backtested'; result: unknown }
  | { type: 'error'; message: string };
