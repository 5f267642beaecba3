import { featureIndex } from '../features/spec.ts';
import { modelShape } from './shape.ts';

/** What training needs of a sample (extractSamples' Sample satisfies it). */
export type TrainingSample = {
  x: ArrayLike<number>;
  y: number;
  censored: boolean;
  /** The product's level: rows are weighted by it (normalised), so the loss counts units. */
  level: number;
  sold: number;
};

/** How strongly a product's level weights its rows (1 = pure units, 0 = every row alike). */
export const levelWeightPower = 0.75;

/** Samples as contiguous float32 columns: features row-major, then target, censoring, weight. */
export type PackedSamples = {
  x: Float32Array;
  y: Float32Array;
  c: Float32Array;
  w: Float32Array;
  n: number;
  f: number;
};

export function packSamples(samples: readonly TrainingSample[]): PackedSamples {
  const n = samples.length;
  const f = modelShape.inputFeatures;
  const x = new Float32Array(n * f);
  const y = new Float32Array(n);
  const c = new Float32Array(n);
  const w = new Float32Array(n);
  let wSum = 0;
  samples.forEach((s, i) => {
    if (s.x.length !== f) throw new Error(`sample ${i} has ${s.x.length} features, expected ${f}`);
    for (let k = 0; k < f; k++) x[i * f + k] = s.x[k]!;
    y[i] = s.y;
    c[i] = s.censored ? 1 : 0;
    w[i] = Math.pow(Math.max(s.level, 1), levelWeightPower);
    wSum += w[i]!;
  });
  const mean = n ? wSum / n : 1;
  for (let i = 0; i < n; i++) w[i]! /= mean;
  return { x, y, c, w, n, f };
}

/** Share of training rows whose weather is hidden each epoch (see hideWeather). */
export const weatherDropout = 0.3;
/** "Weather unknown": the value each weather column takes on a row whose weather is hidden. */
export const hiddenWeather: readonly { column: number; value: number }[] = [
  { column: featureIndex('temperature'), value: 0 },
  { column: featureIndex('temperature_missing'), value: 1 },
  { column: featureIndex('rain'), value: 0 },
  { column: featureIndex('rain_missing'), value: 1 },
];

/**
 * Tomorrow's weather is often not entered, while the past usually has it: hiding it on a seeded
 * share of rows teaches the model the "weather unknown" case too, instead of leaving it unseen.
 * Draws one number per row of the batch, in batch order (every trainer must draw the same).
 */
export function weatherMask(
  rows: number,
  random: () => number,
  into = new Uint8Array(rows),
): Uint8Array {
  for (let i = 0; i < rows; i++) into[i] = random() < weatherDropout ? 1 : 0;
  return into.subarray(0, rows);
}

/** Writes "weather unknown" into a feature row that starts at `at`. */
export function hideWeather(x: Float32Array, at: number): void {
  for (const { column, value } of hiddenWeather) x[at + column] = value;
}

/** Cosine decay to a tenth over the epochs: late epochs settle instead of jittering. */
export function learningRateAt(base: number, epoch: number, epochs: number): number {
  const progress = epochs > 1 ? (epoch - 1) / (epochs - 1) : 0;
  return base * (0.1 + 0.45 * (1 + Math.cos(Math.PI * progress)));
}

export function abortError(): Error {
  const error = new Error('training cancelled');
  error.name = 'AbortError';
  return error;
}
