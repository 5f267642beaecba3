import type { PackedSamples } from '../training-data.ts';
import { hideWeather } from '../training-data.ts';
import { adamStep, BiasCorrection } from './adam.ts';
import { allRows, batchWeight, type BatchView, type TrainingEngine } from './engine.ts';
import { weightCount, type DenseLayer } from './layout.ts';
import { quantileCount, quantilesOf, rowLoss } from './quantile-head.ts';

/**
 * The network in plain TypeScript, one row at a time over the flat weights: no tensors, no
 * allocation per step, zero inputs skipped. Runs wherever JavaScript does (the fallback when
 * WebAssembly SIMD is missing) and is the readable statement of what the SIMD kernels compute.
 */
export class ScalarEngine implements TrainingEngine {
  readonly name = 'fused-js';
  private w: Float32Array;
  private readonly grad: Float64Array;
  private m: Float32Array;
  private v: Float32Array;
  private correction = new BiasCorrection();
  private readonly input: Float32Array;
  private readonly acts: Float64Array[];
  private readonly deltas: Float64Array[];

  constructor(private readonly layers: readonly DenseLayer[]) {
    const size = weightCount(layers);
    this.w = new Float32Array(size);
    this.grad = new Float64Array(size);
    this.m = new Float32Array(size);
    this.v = new Float32Array(size);
    this.input = new Float32Array(layers[0]!.inputs);
    this.acts = layers.map((l) => new Float64Array(l.units));
    this.deltas = layers.map((l) => new Float64Array(l.units));
  }

  load(weights: Float32Array): void {
    this.w = Float32Array.from(weights);
    this.m = new Float32Array(weights.length);
    this.v = new Float32Array(weights.length);
    this.correction = new BiasCorrection();
  }

  weights(): Float32Array {
    return Float32Array.from(this.w);
  }

  step(batch: BatchView, learningRate: number): number {
    const loss = this.accumulate(batch, true);
    adamStep(this.w, this.grad, this.m, this.v, learningRate, this.correction.next());
    return loss;
  }

  gradient(batch: BatchView): { loss: number; gradient: Float32Array } {
    const loss = this.accumulate(batch, true);
    return { loss, gradient: Float32Array.from(this.grad) };
  }

  loss(data: PackedSamples): number {
    return this.accumulate({ data, rows: allRows(data.n) }, false);
  }

  predict(x: Float32Array, n: number, out: Float32Array): void {
    const f = this.input.length;
    for (let r = 0; r < n; r++) {
      this.input.set(x.subarray(r * f, (r + 1) * f));
      this.forwardRow();
      quantilesOf(this.acts.at(-1)!, 0, out, r * quantileCount);
    }
  }

  /** Batch loss Σ wᵣ·lossᵣ / Σ wᵣ; with `withGradient`, its gradient into this.grad. */
  private accumulate(batch: BatchView, withGradient: boolean): number {
    const { data, rows, hidden } = batch;
    const f = this.input.length;
    const norm = 1 / batchWeight(batch);
    const top = this.layers.length - 1;
    if (withGradient) this.grad.fill(0);
    let loss = 0;
    for (let i = 0; i < rows.length; i++) {
      const r = rows[i]!;
      for (let k = 0; k < f; k++) this.input[k] = data.x[r * f + k]!;
      if (hidden?.[i] === 1) hideWeather(this.input, 0);
      this.forwardRow();
      const weight = data.w[r]! * norm;
      const rowGrad = withGradient ? this.deltas[top]! : undefined;
      loss += weight * rowLoss(this.acts[top]!, 0, data.y[r]!, data.c[r] === 1, weight, rowGrad);
      if (withGradient) this.backwardRow();
    }
    return loss;
  }

  private forwardRow(): void {
    const w = this.w;
    let input: Float32Array | Float64Array = this.input;
    for (let l = 0; l < this.layers.length; l++) {
      const { inputs, units, kernel, bias, relu } = this.layers[l]!;
      const out = this.acts[l]!;
      for (let j = 0; j < units; j++) out[j] = w[bias + j]!;
      for (let i = 0; i < inputs; i++) {
        const a = input[i]!;
        if (a === 0) continue;
        const base = kernel + i * units;
        for (let j = 0; j < units; j++) out[j]! += a * w[base + j]!;
      }
      if (relu) for (let j = 0; j < units; j++) if (out[j]! < 0) out[j] = 0;
      input = out;
    }
  }

  private backwardRow(): void {
    const { w, grad } = this;
    for (let l = this.layers.length - 1; l >= 0; l--) {
      const { inputs, units, kernel, bias } = this.layers[l]!;
      const delta = this.deltas[l]!;
      const input = l > 0 ? this.acts[l - 1]! : this.input;
      const below = l > 0 ? this.deltas[l - 1]! : null;
      for (let j = 0; j < units; j++) grad[bias + j]! += delta[j]!;
      for (let i = 0; i < inputs; i++) {
        const a = input[i]!;
        // A zero input adds nothing to the kernel gradient; an inactive relu passes nothing down.
        if (a === 0) {
          if (below) below[i] = 0;
          continue;
        }
        const base = kernel + i * units;
        let back = 0;
        for (let j = 0; j < units; j++) {
          const d = delta[j]!;
          grad[base + j]! += a * d;
          back += w[base + j]! * d;
        }
        if (below) below[i] = back;
      }
    }
  }
}
