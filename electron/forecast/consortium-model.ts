import type { Sample } from '../../federated/features/extract.ts';
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
 * How far a consortium bakery's forecast model moves from the merged model towards its own
 * adaptation, by the open days it has logged: half way up to 60 days, all the way from 120 on,
 * in between in proportion. A young bakery's adaptation overfits its few days (and a bakery
 * unlike the others loses what the consortium knew); with a year or more of its own days the
 * adaptation is the better model. Measured at 60 days and at one to five years
 * (docs/benchmarks.md, "Young bakeries: levers against the pooled model").
 */
export function personalShare(ownDays: number): number {
  return Math.min(1, Math.max(0.5, ownDays / 120));
}

/** The forecast model `share` of the way from the merged model to the bakery's adaptation. */
export function personalise(
  global: Float32Array,
  adapted: Float32Array,
  share: number,
): Float32Array {
  if (global.length !== adapted.length) throw new RangeError('models differ in size');
  const out = new Float32Array(global.length);
  for (let i = 0; i < out.length; i++) out[i] = (1 - share) * global[i]! + share * adapted[i]!;
  return out;
}

/** Open days the samples come from: the bakery's own history. */
export const ownDays = (samples: readonly { date: string }[]) =>
  new Set(samples.map((s) => s.date)).size;

/**
 * How a consortium bakery forecasts: the merged (global) model, its own nightly training started
 * from it (the app's training job does the same), and the model between the two that its
 * history warrants (`personalShare`). The adapted weights never leave the bakery. Without own
 * samples the global model is used as it is. One definition, used by the value-of-joining
 * screen, the demo and `breadcast simulate`.
 */
export async function consortiumWeights(
  global: Float32Array,
  samples: Sample[],
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
    weights: personalise(global, trained.weights, personalShare(ownDays(samples))),
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
