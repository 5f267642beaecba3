import * as tf from '@tensorflow/tfjs';
import { quantileLevels } from '../features/spec.ts';
import { initBackend } from './backend.ts';
import { pinballLoss } from './loss.ts';
import { createModel, getFlatWeights, modelShape, setFlatWeights, toQuantiles } from './network.ts';
import { seededRandom, shuffled } from './random.ts';
import {
  abortError,
  hideWeather,
  learningRateAt,
  packSamples,
  weatherMask,
  type PackedSamples,
} from './training-data.ts';
import type { TrainOptions } from './train.ts';

/**
 * The network trained with TensorFlow.js layers, autodiff and optimizer: the definition the fast
 * trainer is tested against (gradients, Adam steps, whole runs). Production trains with the fused
 * trainer; this path stays because it is the independent reference.
 */

type Batch = { x: tf.Tensor2D; y: tf.Tensor2D; c: tf.Tensor2D; w: tf.Tensor2D };

export function tensorBatch(
  p: PackedSamples,
  rows: ArrayLike<number> | null,
  hidden?: Uint8Array,
): Batch {
  const m = rows ? rows.length : p.n;
  const x = new Float32Array(m * p.f);
  const y = new Float32Array(m);
  const c = new Float32Array(m);
  const w = new Float32Array(m);
  for (let i = 0; i < m; i++) {
    const r = rows ? rows[i]! : i;
    x.set(p.x.subarray(r * p.f, (r + 1) * p.f), i * p.f);
    if (hidden?.[i]) hideWeather(x, i * p.f);
    y[i] = p.y[r]!;
    c[i] = p.c[r]!;
    w[i] = p.w[r]!;
  }
  return {
    x: tf.tensor2d(x, [m, p.f]),
    y: tf.tensor2d(y, [m, 1]),
    c: tf.tensor2d(c, [m, 1]),
    w: tf.tensor2d(w, [m, 1]),
  };
}

export const disposeBatch = (b: Batch) => [b.x, b.y, b.c, b.w].forEach((t) => t.dispose());

/** The training objective on a batch, as a function TF.js can differentiate. */
const objective = (model: tf.LayersModel, batch: Batch) => () =>
  pinballLoss(
    toQuantiles(model.apply(batch.x, { training: true }) as tf.Tensor2D),
    batch.y,
    batch.c,
    batch.w,
  );

function lossOn(model: tf.LayersModel, batch: Batch): number {
  return tf.tidy(() => {
    const q = toQuantiles(model.predict(batch.x) as tf.Tensor2D);
    return pinballLoss(q, batch.y, batch.c, batch.w).dataSync()[0]!;
  });
}

/** The batch loss and its gradient, flattened in the weights' layout, by TF.js autodiff. */
export function tfjsLossAndGradient(
  weights: Float32Array,
  p: PackedSamples,
  rows: ArrayLike<number> | null,
  hidden?: Uint8Array,
): { loss: number; gradient: Float32Array } {
  const model = createModel(1);
  setFlatWeights(model, weights);
  const batch = tensorBatch(p, rows, hidden);
  try {
    return tf.tidy(() => {
      const variables = model.trainableWeights.map((w) => w.read() as tf.Variable);
      const { value, grads } = tf.variableGrads(objective(model, batch), variables);
      const gradient = new Float32Array(weights.length);
      let offset = 0;
      for (const v of variables) {
        const g = grads[v.name]!.dataSync();
        gradient.set(g, offset);
        offset += g.length;
      }
      return { loss: value.dataSync()[0]!, gradient };
    });
  } finally {
    disposeBatch(batch);
    model.dispose();
  }
}

export type TfjsTrainOptions = Omit<TrainOptions, 'onProgress'> & {
  /** Called with every batch's loss, in order (to compare loss trajectories). */
  onBatch?: (loss: number) => void;
};

/** Adam on the censored pinball loss with TF.js, seeded exactly as the fused trainer. */
export async function trainTfjs(options: TfjsTrainOptions) {
  await initBackend();
  const model = createModel(options.seed);
  try {
    if (options.initialWeights) setFlatWeights(model, options.initialWeights);
    const data = packSamples(options.samples);
    if (data.n === 0) {
      return { weights: getFlatWeights(model), lossBefore: NaN, lossAfter: NaN, samples: 0 };
    }
    const all = tensorBatch(data, null);
    const lossBefore = lossOn(model, all);
    const optimizer = tf.train.adam(options.learningRate);
    const random = seededRandom(options.seed);
    const batchSize = Math.max(1, Math.min(options.batchSize, data.n));
    const variables = model.trainableWeights.map((w) => w.read() as tf.Variable);
    for (let epoch = 1; epoch <= options.epochs; epoch++) {
      (optimizer as unknown as { learningRate: number }).learningRate = learningRateAt(
        options.learningRate,
        epoch,
        options.epochs,
      );
      const order = shuffled(data.n, random);
      for (let start = 0; start < data.n; start += batchSize) {
        if (options.signal?.aborted) throw abortError();
        const rows = order.subarray(start, Math.min(start + batchSize, data.n));
        const batch = tensorBatch(data, rows, weatherMask(rows.length, random));
        const cost = optimizer.minimize(objective(model, batch), true, variables);
        options.onBatch?.(cost!.dataSync()[0]!);
        cost!.dispose();
        disposeBatch(batch);
      }
    }
    const lossAfter = lossOn(model, all);
    disposeBatch(all);
    optimizer.dispose();
    return { weights: getFlatWeights(model), lossBefore, lossAfter, samples: data.n };
  } finally {
    model.dispose();
  }
}

/** Relative quantiles by TF.js (p10…p90 per row): the reference for the fused forward pass. */
export function tfjsQuantiles(weights: Float32Array, rows: ArrayLike<number>[]): number[][] {
  if (rows.length === 0) return [];
  const model = createModel(1);
  try {
    setFlatWeights(model, weights);
    const f = modelShape.inputFeatures;
    const x = new Float32Array(rows.length * f);
    rows.forEach((r, i) => x.set(Array.from(r), i * f));
    return tf.tidy(() => {
      const q = toQuantiles(model.predict(tf.tensor2d(x, [rows.length, f])) as tf.Tensor2D);
      const flat = q.dataSync();
      const k = quantileLevels.length;
      return rows.map((_, i) => Array.from(flat.subarray(i * k, (i + 1) * k)));
    });
  } finally {
    model.dispose();
  }
}
