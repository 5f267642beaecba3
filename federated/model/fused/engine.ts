import type { PackedSamples } from '../training-data.ts';

/** A batch as row indices into packed samples, with the rows whose weather is hidden. */
export type BatchView = {
  data: PackedSamples;
  rows: ArrayLike<number>;
  /** hidden[i] = 1: batch row i is seen with "weather unknown" (see hideWeather). */
  hidden?: Uint8Array;
};

/**
 * What trains the network: weights in, Adam steps on batches, weights out, all in the flat TF.js
 * layout at the boundary. Each engine computes the same function; they differ in speed only.
 */
export interface TrainingEngine {
  readonly name: string;
  /** Sets the weights and starts Adam afresh (zero moments, step 1). */
  load(weights: Float32Array): void;
  weights(): Float32Array;
  /** One Adam step on the batch; returns the batch's loss before the step. */
  step(batch: BatchView, learningRate: number): number;
  /** The batch's loss and d loss / d weights at the current weights (no update). */
  gradient(batch: BatchView): { loss: number; gradient: Float32Array };
  /** Weighted loss over every packed row, weather as recorded. */
  loss(data: PackedSamples): number;
  /** Relative quantiles of `n` feature rows (row-major) into `out` (n × quantiles). */
  predict(x: Float32Array, n: number, out: Float32Array): void;
}

/** Σ of the batch's row weights, floored as `pinballLoss` floors it. */
export function batchWeight(batch: BatchView): number {
  let sum = 0;
  for (let i = 0; i < batch.rows.length; i++) sum += batch.data.w[batch.rows[i]!]!;
  return Math.max(sum, 1e-9);
}

export function allRows(n: number): Int32Array {
  return Int32Array.from({ length: n }, (_, i) => i);
}
