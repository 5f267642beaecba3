import { hideWeather, type PackedSamples } from '../../training-data.ts';
import { BiasCorrection } from '../adam.ts';
import { allRows, batchWeight, type BatchView, type TrainingEngine } from '../engine.ts';
import { weightCount, type DenseLayer } from '../layout.ts';
import { quantileCount, quantilesOf, rowLoss } from '../quantile-head.ts';
import { assembleKernels, memoryLayout, type MemoryLayout } from './simd-kernels.ts';

type Kernels = {
  memory: WebAssembly.Memory;
  forward(rows: number): void;
  backward(rows: number): void;
  adam(learningRate: number, correction1: number, correction2: number): void;
};

const compiled = new Map<string, WebAssembly.Module | null>();

/** The kernels compiled once per shape and process; null where this runtime lacks SIMD. */
function kernelModule(layout: MemoryLayout): WebAssembly.Module | null {
  const key = JSON.stringify([layout.layers.map((l) => [l.inputs, l.units]), layout.maxRows]);
  if (!compiled.has(key)) {
    const bytes = assembleKernels(layout);
    compiled.set(key, WebAssembly.validate(bytes) ? new WebAssembly.Module(bytes) : null);
  }
  return compiled.get(key)!;
}

export function simdAvailable(layers: readonly DenseLayer[]): boolean {
  return kernelModule(memoryLayout(layers, 1)) !== null;
}

/**
 * The network's dense layers and Adam in WebAssembly SIMD (kernels assembled in-process by
 * simd-kernels.ts; no binary is shipped). Batches go through in chunks of `maxRows`: the
 * gradient accumulates over chunks, so any batch size gives one Adam step.
 */
export class SimdEngine implements TrainingEngine {
  readonly name = 'fused-wasm-simd';
  private readonly layout: MemoryLayout;
  private readonly kernels: Kernels;
  private readonly size: number;
  private correction = new BiasCorrection();

  constructor(
    private readonly layers: readonly DenseLayer[],
    maxRows = 512,
  ) {
    this.layout = memoryLayout(layers, maxRows);
    const module = kernelModule(this.layout);
    if (!module) throw new Error('this runtime has no WebAssembly SIMD');
    this.kernels = new WebAssembly.Instance(module, {}).exports as unknown as Kernels;
    this.size = weightCount(layers);
  }

  private get memory(): Float32Array {
    return new Float32Array(this.kernels.memory.buffer);
  }

  load(weights: Float32Array): void {
    if (weights.length !== this.size)
      throw new Error(`expected ${this.size} weights, got ${weights.length}`);
    const mem = this.memory;
    const { w, m, v, paddedWeights } = this.layout;
    for (const region of [w, m, v]) mem.fill(0, region / 4, region / 4 + paddedWeights);
    this.copyWeights(weights, true);
    this.correction = new BiasCorrection();
  }

  weights(): Float32Array {
    const flat = new Float32Array(this.size);
    this.copyWeights(flat, false);
    return flat;
  }

  /** Between the flat TF.js layout and the padded one in memory, either way. */
  private copyWeights(flat: Float32Array, intoMemory: boolean): void {
    const mem = this.memory;
    const base = this.layout.w / 4;
    for (const l of this.layout.layers) {
      for (let i = 0; i < l.inputs; i++)
        for (let j = 0; j < l.units; j++) {
          const at = base + l.kernelAt + i * l.padded + j;
          if (intoMemory) mem[at] = flat[l.kernel + i * l.units + j]!;
          else flat[l.kernel + i * l.units + j] = mem[at]!;
        }
      for (let j = 0; j < l.units; j++) {
        const at = base + l.biasAt + j;
        if (intoMemory) mem[at] = flat[l.bias + j]!;
        else flat[l.bias + j] = mem[at]!;
      }
    }
  }

  step(batch: BatchView, learningRate: number): number {
    const loss = this.accumulate(batch, true);
    const c = this.correction.next();
    this.kernels.adam(learningRate, c.first, c.second);
    return loss;
  }

  gradient(batch: BatchView): { loss: number; gradient: Float32Array } {
    const loss = this.accumulate(batch, true);
    const mem = this.memory;
    const gradient = new Float32Array(this.size);
    const shift = (this.layout.g - this.layout.w) / 4;
    // G has W's padded layout at a constant offset.
    const base = this.layout.w / 4;
    for (const l of this.layout.layers) {
      for (let i = 0; i < l.inputs; i++)
        for (let j = 0; j < l.units; j++)
          gradient[l.kernel + i * l.units + j] = mem[base + shift + l.kernelAt + i * l.padded + j]!;
      for (let j = 0; j < l.units; j++) gradient[l.bias + j] = mem[base + shift + l.biasAt + j]!;
    }
    return { loss, gradient };
  }

  loss(data: PackedSamples): number {
    return this.accumulate({ data, rows: allRows(data.n) }, false);
  }

  predict(x: Float32Array, n: number, out: Float32Array): void {
    const { maxRows, inputs, acts, layers } = this.layout;
    const mem = this.memory;
    const padded = layers.at(-1)!.padded;
    const raw = acts.at(-1)! / 4;
    for (let start = 0; start < n; start += maxRows) {
      const count = Math.min(maxRows, n - start);
      mem.set(x.subarray(start * inputs, (start + count) * inputs), this.layout.x / 4);
      this.kernels.forward(count);
      for (let r = 0; r < count; r++)
        quantilesOf(mem, raw + r * padded, out, (start + r) * quantileCount);
    }
  }

  /** Batch loss Σ wᵣ·lossᵣ / Σ wᵣ; with `withGradient`, its gradient into G. */
  private accumulate(batch: BatchView, withGradient: boolean): number {
    const { data, rows, hidden } = batch;
    const { maxRows, inputs, acts, layers, dRaw, g, paddedWeights } = this.layout;
    const mem = this.memory;
    const norm = 1 / batchWeight(batch);
    const padded = layers.at(-1)!.padded;
    const raw = acts.at(-1)! / 4;
    const x = this.layout.x / 4;
    if (withGradient) mem.fill(0, g / 4, g / 4 + paddedWeights);
    let loss = 0;
    for (let start = 0; start < rows.length; start += maxRows) {
      const count = Math.min(maxRows, rows.length - start);
      for (let i = 0; i < count; i++) {
        const r = rows[start + i]!;
        for (let k = 0; k < inputs; k++) mem[x + i * inputs + k] = data.x[r * inputs + k]!;
        if (hidden?.[start + i] === 1) hideWeather(mem, x + i * inputs);
      }
      this.kernels.forward(count);
      for (let i = 0; i < count; i++) {
        const r = rows[start + i]!;
        const weight = data.w[r]! * norm;
        const at = raw + i * padded;
        const gradAt = dRaw / 4 + i * padded;
        const grad = withGradient ? mem : undefined;
        loss += weight * rowLoss(mem, at, data.y[r]!, data.c[r] === 1, weight, grad, gradAt);
      }
      if (withGradient) this.kernels.backward(count);
    }
    return loss;
  }
}
