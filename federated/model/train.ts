import * as tf from '@tensorflow/tfjs';
import { modelShape, createModel, getFlatWeights, setFlatWeights, toQuantiles } from './network.ts';
import { pinballLoss } from './loss.ts';
import { seededRandom, shuffled } from './random.ts';
import { featureIndex, quantileLevels } from '../features/spec.ts';
import { initBackend } from './backend.ts';

/** What training needs of a sample (extractSamples' Sample satisfies it). */
export type TrainingSample = {
  x: ArrayLike<number>;
  y: number;
  censored: boolean;
  /** The product's level: rows are weighted by it (normalised), so the loss counts units. */
  level: number;
  sold: number;
};

export type TrainProgress = { epoch: number; epochs: number; loss: number };

export type TrainOptions = {
  initialWeights?: Float32Array;
  samples: TrainingSample[];
  epochs: number;
  learningRate: number;
  batchSize: number;
  seed: number;
  onProgress?: (progress: TrainProgress) => void | Promise<void>;
  signal?: AbortSignal;
};

export type TrainResult = {
  weights: Float32Array;
  lossBefore: number;
  lossAfter: number;
  samples: number;
};

export type Metrics = {
  /** Mean weighted pinball loss over the five quantiles (relative units). */
  pinball: number;
  /** Weighted absolute percentage error of the median in units: Σ|level·p50 − sold| / Σ sold. */
  wape: number;
  /** Share of observations below the predicted p10 / p90 (≈0.1 / 0.9 when calibrated). */
  coverage10: number;
  coverage90: number;
  samples: number;
};

/** How strongly a product's level weights its rows (1 = pure units, 0 = every row alike). */
export const levelWeightPower = 0.75;

type Batch = { x: tf.Tensor2D; y: tf.Tensor2D; c: tf.Tensor2D; w: tf.Tensor2D };

function packed(samples: TrainingSample[]) {
  const n = samples.length;
  const f = modelShape.inputFeatures;
  const x = new Float32Array(n * f);
  const y = new Float32Array(n);
  const c = new Float32Array(n);
  const w = new Float32Array(n);
  let wSum = 0;
  samples.forEach((s, i) => {
    if (s.x.length !== f) throw new Error(`sample ${i} has ${s.x.length} features, expected ${f}`);
    x.set(Array.from(s.x), i * f);
    y[i] = s.y;
    c[i] = s.censored ? 1 : 0;
    w[i] = Math.pow(Math.max(s.level, 1), levelWeightPower);
    wSum += w[i]!;
  });
  const mean = n ? wSum / n : 1;
  for (let i = 0; i < n; i++) w[i]! /= mean;
  return { x, y, c, w, n, f };
}

/** Share of training rows whose weather is hidden each epoch (see maskWeather). */
export const weatherDropout = 0.3;
const weatherColumns = {
  temperature: featureIndex('temperature'),
  temperatureMissing: featureIndex('temperature_missing'),
  rain: featureIndex('rain'),
  rainMissing: featureIndex('rain_missing'),
};

/**
 * Tomorrow's weather is often not entered, while the past usually has it: hiding it on a seeded
 * share of rows teaches the model the "weather unknown" case too, instead of leaving it unseen.
 */
function maskWeather(x: Float32Array, f: number, random: () => number): void {
  const c = weatherColumns;
  for (let at = 0; at < x.length; at += f) {
    if (random() >= weatherDropout) continue;
    x[at + c.temperature] = 0;
    x[at + c.temperatureMissing] = 1;
    x[at + c.rain] = 0;
    x[at + c.rainMissing] = 1;
  }
}

function batchOf(
  p: ReturnType<typeof packed>,
  rows: Int32Array | null,
  augment?: (x: Float32Array) => void,
): Batch {
  const idx = rows ?? Int32Array.from({ length: p.n }, (_, i) => i);
  const m = idx.length;
  const x = new Float32Array(m * p.f);
  const y = new Float32Array(m);
  const c = new Float32Array(m);
  const w = new Float32Array(m);
  idx.forEach((r, i) => {
    x.set(p.x.subarray(r * p.f, (r + 1) * p.f), i * p.f);
    y[i] = p.y[r]!;
    c[i] = p.c[r]!;
    w[i] = p.w[r]!;
  });
  augment?.(x);
  return {
    x: tf.tensor2d(x, [m, p.f]),
    y: tf.tensor2d(y, [m, 1]),
    c: tf.tensor2d(c, [m, 1]),
    w: tf.tensor2d(w, [m, 1]),
  };
}

const disposeBatch = (b: Batch) => [b.x, b.y, b.c, b.w].forEach((t) => t.dispose());

function lossOn(model: tf.LayersModel, batch: Batch): number {
  return tf.tidy(() => {
    const q = toQuantiles(model.predict(batch.x) as tf.Tensor2D);
    return pinballLoss(q, batch.y, batch.c, batch.w).dataSync()[0]!;
  });
}

/**
 * Local training from `initialWeights` (or a fresh seeded model): Adam on the censored pinball
 * loss, seeded shuffles, so the same inputs give the same weights on the same backend. A
 * federated round is this from the global weights; the update is `weights − initialWeights`.
 */
export async function trainLocal(options: TrainOptions): Promise<TrainResult> {
  // Callers that skipped initBackend() would silently get the slow pure-JS backend.
  await initBackend();
  const model = createModel(options.seed);
  try {
    if (options.initialWeights) setFlatWeights(model, options.initialWeights);
    const data = packed(options.samples);
    if (data.n === 0) {
      return { weights: getFlatWeights(model), lossBefore: NaN, lossAfter: NaN, samples: 0 };
    }
    const all = batchOf(data, null);
    const lossBefore = lossOn(model, all);
    const optimizer = tf.train.adam(options.learningRate);
    const random = seededRandom(options.seed);
    const batchSize = Math.max(1, Math.min(options.batchSize, data.n));
    const variables = model.trainableWeights.map((w) => w.read() as tf.Variable);
    for (let epoch = 1; epoch <= options.epochs; epoch++) {
      // Cosine decay to a tenth: late epochs settle instead of jittering around the optimum.
      const progress = options.epochs > 1 ? (epoch - 1) / (options.epochs - 1) : 0;
      (optimizer as unknown as { learningRate: number }).learningRate =
        options.learningRate * (0.1 + 0.45 * (1 + Math.cos(Math.PI * progress)));
      const order = shuffled(data.n, random);
      let epochLoss = 0;
      let batches = 0;
      for (let start = 0; start < data.n; start += batchSize) {
        if (options.signal?.aborted) throw abortError();
        const batch = batchOf(
          data,
          order.subarray(start, Math.min(start + batchSize, data.n)),
          (x) => maskWeather(x, data.f, random),
        );
        const cost = optimizer.minimize(
          () =>
            pinballLoss(
              toQuantiles(model.apply(batch.x, { training: true }) as tf.Tensor2D),
              batch.y,
              batch.c,
              batch.w,
            ),
          true,
          variables,
        );
        epochLoss += cost!.dataSync()[0]!;
        batches++;
        cost!.dispose();
        disposeBatch(batch);
      }
      await options.onProgress?.({ epoch, epochs: options.epochs, loss: epochLoss / batches });
    }
    const lossAfter = lossOn(model, all);
    disposeBatch(all);
    optimizer.dispose();
    return { weights: getFlatWeights(model), lossBefore, lossAfter, samples: data.n };
  } finally {
    model.dispose();
  }
}

function abortError(): Error {
  const error = new Error('training cancelled');
  error.name = 'AbortError';
  return error;
}

/**
 * Relative quantiles (× level = units) for feature rows, p10…p90 per row, non-crossing.
 * Synchronous: call `await initBackend()` once first (trainLocal does it itself).
 */
export function predictQuantiles(weights: Float32Array, rows: ArrayLike<number>[]): number[][] {
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
      return rows.map((_, i) =>
        Array.from(flat.subarray(i * quantileLevels.length, (i + 1) * quantileLevels.length)),
      );
    });
  } finally {
    model.dispose();
  }
}

/** Aggregate quality of weights on samples: only these figures ever leave a bakery. */
export function evaluate(weights: Float32Array, samples: TrainingSample[]): Metrics {
  if (samples.length === 0)
    return { pinball: NaN, wape: NaN, coverage10: NaN, coverage90: NaN, samples: 0 };
  const model = createModel(1);
  try {
    setFlatWeights(model, weights);
    const data = packed(samples);
    const all = batchOf(data, null);
    const pinball = lossOn(model, all);
    disposeBatch(all);
    const q = predictQuantiles(
      weights,
      samples.map((s) => s.x),
    );
    let absErr = 0;
    let sold = 0;
    let below10 = 0;
    let below90 = 0;
    samples.forEach((s, i) => {
      const row = q[i]!;
      absErr += Math.abs(Math.max(row[2]!, 0) * s.level - s.sold);
      sold += s.sold;
      if (s.y < row[0]!) below10++;
      if (s.y < row[4]!) below90++;
    });
    return {
      pinball,
      wape: sold > 0 ? absErr / sold : NaN,
      coverage10: below10 / samples.length,
      coverage90: below90 / samples.length,
      samples: samples.length,
    };
  } finally {
    model.dispose();
  }
}
