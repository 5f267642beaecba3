import type { Sample } from '../../federated/features/extract.ts';
import type {
  TrainingSample,
  TrainOptions,
  TrainProgress,
  TrainResult,
} from '../../federated/model/train.ts';
import { trainLocal } from '../../federated/model/train.ts';
import { trainingSettings } from './training-settings.ts';
import type { ForecastModel, ModelMember } from './forecast-model.ts';

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
 * How a consortium bakery's nightly training builds its forecast model: the merged model
 * adapted to its own days at a fraction of the production learning rate (a gentler adaptation
 * keeps more of what the consortium knew), three times with different seeds, each taken
 * `personalShare` of the way from the merged model; and the bakery's own model trained alone,
 * three times. The forecast averages their quantiles: the adaptations carry ⅔, the models alone
 * ⅓. Networks trained apart err partly independently; measured at 60 days and at one to five
 * years of history (docs/benchmarks.md, "One default for young and long-history bakeries").
 */
export const consortiumRecipe = {
  seeds: 3,
  adaptationLearningRate: 0.25,
  aloneShare: 1 / 3,
} as const;

/** One training of the nightly run (all on the same samples, with the production settings). */
export type PlannedTraining = {
  initialWeights: Float32Array | null;
  learningRate: number;
  seed: number;
};

/** The trainings a consortium bakery runs each night, from the merged model `global`. */
export function consortiumTrainings(
  global: Float32Array,
  samples: number,
  seed: number,
): PlannedTraining[] {
  const { learningRate } = trainingSettings(samples);
  const seeds = Array.from({ length: consortiumRecipe.seeds }, (_, i) => seed + i);
  return [
    ...seeds.map((s) => ({
      initialWeights: global,
      learningRate: learningRate * consortiumRecipe.adaptationLearningRate,
      seed: s,
    })),
    ...seeds.map((s) => ({ initialWeights: null, learningRate, seed: s })),
  ];
}

/** The forecast model from the trained weights, in the order of `consortiumTrainings`. */
export function consortiumMembers(
  global: Float32Array,
  trained: Float32Array[],
  days: number,
): ModelMember[] {
  const n = consortiumRecipe.seeds;
  if (trained.length !== 2 * n) throw new RangeError(`expected ${2 * n} trained models`);
  const share = personalShare(days);
  const adapted = (1 - consortiumRecipe.aloneShare) / n;
  const alone = consortiumRecipe.aloneShare / n;
  return trained.map((weights, i) =>
    i < n
      ? { weights: personalise(global, weights, share), share: adapted }
      : { weights, share: alone },
  );
}

/**
 * How a consortium bakery forecasts: the model of `consortiumMembers`, trained here as its
 * nightly training does (the training job runs the same trainings in its worker). Nothing of it
 * leaves the bakery. Without own samples the merged model is used as it is. One definition, used
 * by the value-of-joining screen, the demo and `breadcast simulate`.
 */
export async function consortiumModel(
  global: Float32Array,
  samples: Sample[],
  hooks: TrainHooks = {},
): Promise<{
  model: ForecastModel;
  adapted: boolean;
  epochs: number;
  lossBefore: number;
  lossAfter: number;
}> {
  if (samples.length === 0)
    return { model: global, adapted: false, epochs: 0, lossBefore: NaN, lossAfter: NaN };
  const settings = trainingSettings(samples.length);
  const trained = await Promise.all(
    consortiumTrainings(global, samples.length, hooks.seed ?? 1).map((t) =>
      (hooks.train ?? trainLocal)({
        samples,
        epochs: settings.epochs,
        batchSize: settings.batchSize,
        learningRate: t.learningRate,
        seed: t.seed,
        ...(t.initialWeights ? { initialWeights: t.initialWeights } : {}),
        ...(hooks.onProgress ? { onProgress: hooks.onProgress } : {}),
      }),
    ),
  );
  return {
    model: consortiumMembers(
      global,
      trained.map((t) => t.weights),
      ownDays(samples),
    ),
    adapted: true,
    epochs: settings.epochs,
    lossBefore: trained[0]!.lossBefore,
    lossAfter: trained[0]!.lossAfter,
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
