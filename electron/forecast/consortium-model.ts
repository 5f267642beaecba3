import type {
  TrainingSample,
  TrainOptions,
  TrainProgress,
  TrainResult,
} from '../../federated/model/train.ts';
import { trainLocal } from '../../federated/model/train.ts';
import { trainingSettings } from './training-settings.ts';

export type TrainHooks = {
  seed?: number;
  /** Called after every epoch; awaited, so a caller can yield to its event loop. */
  onProgress?: (progress: TrainProgress) => void | Promise<void>;
  /** Where training runs (default: here; `breadcast simulate` passes its thread pool). */
  train?: (options: TrainOptions) => Promise<TrainResult>;
};

/**
 * How a consortium bakery forecasts: the merged (global) model, then its own nightly training
 * started from it — the app's training job starts from the model it holds — so the shared
 * knowledge is the starting point and the bakery's own days the local adaptation. The adapted
 * weights never leave the bakery. Without own samples the global model is used as it is.
 * One definition, used by the value-of-joining screen, the demo and `breadcast simulate`.
 */
export async function consortiumWeights(
  global: Float32Array,
  samples: TrainingSample[],
  hooks: TrainHooks = {},
): Promise<{
  weights: Float32Array;
  adapted: boolean;
  epochs: number;
  lossBefore: number;
  lossAfter: number;
}> {
  if (samples.length === 0)
    return { weights: global, adapted: false, epochs: 0, lossBefore: NaN, lossAfter: NaN };
  const settings = trainingSettings(samples.length);
  const trained = await (hooks.train ?? trainLocal)({
    initialWeights: global,
    samples,
    ...settings,
    seed: hooks.seed ?? 1,
    ...(hooks.onProgress ? { onProgress: hooks.onProgress } : {}),
  });
  return {
    weights: trained.weights,
    adapted: true,
    epochs: settings.epochs,
    lossBefore: trained.lossBefore,
    lossAfter: trained.lossAfter,
  };
}

/** A bakery alone: the app's production training from a fresh model on its own samples. */
export async function localWeights(
  samples: TrainingSample[],
  hooks: TrainHooks = {},
): Promise<Float32Array> {
  const settings = trainingSettings(samples.length);
  const trained = await (hooks.train ?? trainLocal)({
    samples,
    ...settings,
    seed: hooks.seed ?? 1,
    ...(hooks.onProgress ? { onProgress: hooks.onProgress } : {}),
  });
  return trained.weights;
}
