import type { TrainingSample } from '../../federated/model/train.ts';
import { trainLocal } from '../../federated/model/train.ts';
import { trainingSettings } from './training-settings.ts';

/**
 * How a consortium bakery forecasts: the merged (global) model, then its own nightly training
 * started from it — the app's training job starts from the model it holds — so the shared
 * knowledge is the starting point and the bakery's own days the local adaptation. The adapted
 * weights never leave the bakery. Without own samples the global model is used as it is.
 * One definition, used by the value-of-joining screen and by `breadcast simulate`.
 */
export async function consortiumWeights(
  global: Float32Array,
  samples: TrainingSample[],
  seed = 1,
): Promise<{ weights: Float32Array; adapted: boolean }> {
  if (samples.length === 0) return { weights: global, adapted: false };
  const settings = trainingSettings(samples.length);
  const trained = await trainLocal({ initialWeights: global, samples, ...settings, seed });
  return { weights: trained.weights, adapted: true };
}

/** A bakery alone: the app's production training from a fresh model on its own samples. */
export async function localWeights(samples: TrainingSample[], seed = 1): Promise<Float32Array> {
  const settings = trainingSettings(samples.length);
  return (await trainLocal({ samples, ...settings, seed })).weights;
}
