import { hiddenWeather, type PackedSamples } from '../../training-data.ts';
import { BiasCorrection } from '../adam.ts';
import { allRows, batchWeight, type BatchView, type TrainingEngine } from '../engine.ts';
import { weightCount, type DenseLayer } from '../layout.ts';
import { quantileCount, quantilesOf, rowLoss } from '../quantile-head.ts';
import { assembleKernels, memoryLayout, type MemoryLayout } from './simd-kernels.ts';

type Kernels = {
  memory: WebAssembly.Memory;
  gather(rows: number): void;
  forward(rows: number): void;
  backward(rows: number): void;
  adam(learningRate: number, correction1: number, correction2: number): void;
};

const compiled = new Map<string, WebAssembly.Module | null>();

/** The kernels compiled once per shape and process; null where this runtime lacks SIMD. */
function kernelModule(layout: MemoryLayout): WebAssembly.Module | null {
  const key = JSON.stringify([layout.layers.map((l) => [l.inputs, l.units]), layout.maxRows]);
  if (!compiled.has(key)) {
    const bytes = assembleKernels(layout, hiddenWeather);
    compiled.set(key, WebAssembly.validate(bytes) ? new WebAssembly.Module(bytes) : null);
  }
  return compiled.get(key)!;
}

export function simdAvailable(layers: readonly DenseLayer[]): boolean {
  return kernelModule(memoryLayout(layers, 512)) !== null;
}

const pageBytes = 65536;

/**
 * The network's dense layers and Adam in WebAssembly SIMD (kernels assembled in-process by
 * simd-kernels.ts; no binary is shipped). The samples' feature rows are copied into the module's
 * memory once; a batch is then row numbers and weather flags. Batches go through in chunks of
 * `maxRows`: the gradient accumulates over chunks, so any batch size gives one Adam step.
 */
export class SimdEngine implements TrainingEngine {
  readonly name = 'fused-wasm-simd';
  private readonly layout: MemoryLayout;
  private readonly kernels: Kernels;
  private readonly size: number;
  private correction = new BiasCorrection();
  private f32 = new Float32Array(0);
  private i32 = new Int32Array(0);
  private u8 = new Uint8Array(0);
  /** The feature rows now in memory (by identity), so a training copies its samples once. */
  private bound: Float32Array | null = null;

  constructor(layers: readonly DenseLayer[], maxRows = 512) {
    this.layout = memoryLayout(layers, maxRows);
    const module = kernelModule(this.layout);
    if (!module) throw new Error('this runtime has no WebAssembly SIMD');
    this.kernels = new WebAssembly.Instance(module, {}).exports as unknown as Kernels;
    this.size = weightCount(layers);
    this.views();
  }

  /** Typed views of the memory, renewed when it grows (growing detaches the old buffer). */
  private views(): void {
    const buffer = this.kernels.memory.buffer;
    this.f32 = new Float32Array(buffer);
    this.i32 = new Int32Array(buffer);
    this.u8 = new Uint8Array(buffer);
  }

  /** Copies `n` feature rows (row-major, `inputs` each) into the data region. */
  private bind(x: Float32Array, n: number): void {
    if (this.bound === x) return;
    const { data, inputs, inputStride } = this.layout;
    const needed = data + n * inputStride * 4;
    const memory = this.kernels.memory;
    if (needed > memory.buffer.byteLength)
      memory.grow(Math.ceil((needed - memory.buffer.byteLength) / pageBytes));
    this.views();
    const at = data / 4;
    if (inputStride === inputs) this.f32.set(x.subarray(0, n * inputs), at);
    else
      for (let r = 0; r < n; r++)
        this.f32.set(x.subarray(r * inputs, (r + 1) * inputs), at + r * inputStride);
    this.bound = x;
  }

  load(weights: Float32Array): void {
    if (weights.length !== this.size)
      throw new Error(`expected ${this.size} weights, got ${weights.length}`);
    const { w, m, v, paddedWeights } = this.layout;
    for (const region of [w, m, v]) this.f32.fill(0, region / 4, region / 4 + paddedWeights);
    this.copyWeights(weights, w, true);
    this.correction = new BiasCorrection();
  }

  weights(): Float32Array {
    const flat = new Float32Array(this.size);
    this.copyWeights(flat, this.layout.w, false);
    return flat;
  }

  /** Between the flat TF.js layout and the padded one of the region at `region`, either way. */
  private copyWeights(flat: Float32Array, region: number, intoMemory: boolean): void {
    const mem = this.f32;
    const base = region / 4;
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
    const gradient = new Float32Array(this.size);
    this.copyWeights(gradient, this.layout.g, false); // G has W's padded layout
    return { loss, gradient };
  }

  loss(data: PackedSamples): number {
    return this.accumulate({ data, rows: allRows(data.n) }, false);
  }

  predict(x: Float32Array, n: number, out: Float32Array): void {
    this.bind(x, n);
    const { maxRows, acts, layers, rowNumbers } = this.layout;
    const padded = layers.at(-1)!.padded;
    const raw = acts.at(-1)! / 4;
    for (let start = 0; start < n; start += maxRows) {
      const count = Math.min(maxRows, n - start);
      for (let i = 0; i < count; i++) this.i32[rowNumbers / 4 + i] = start + i;
      this.u8.fill(0, this.layout.hiddenFlags, this.layout.hiddenFlags + count);
      this.kernels.gather(count);
      this.kernels.forward(count);
      for (let r = 0; r < count; r++)
        quantilesOf(this.f32, raw + r * padded, out, (start + r) * quantileCount);
    }
  }

  /** Batch loss Σ wᵣ·lossᵣ / Σ wᵣ; with `withGradient`, its gradient into G. */
  private accumulate(batch: BatchView, withGradient: boolean): number {
    const { data, rows, hidden } = batch;
    this.bind(data.x, data.n);
    const { maxRows, acts, layers, dRaw, g, paddedWeights, rowNumbers, hiddenFlags } = this.layout;
    const mem = this.f32;
    const norm = 1 / batchWeight(batch);
    const padded = layers.at(-1)!.padded;
    const raw = acts.at(-1)! / 4;
    if (withGradient) mem.fill(0, g / 4, g / 4 + paddedWeights);
    let loss = 0;
    for (let start = 0; start < rows.length; start += maxRows) {
      const count = Math.min(maxRows, rows.length - start);
      for (let i = 0; i < count; i++) {
        this.i32[rowNumbers / 4 + i] = rows[start + i]!;
        this.u8[hiddenFlags + i] = hidden?.[start + i] ?? 0;
      }
      this.kernels.gather(count);
      this.kernels.forward(count);
      for (let i = 0; i < count; i++) {
        const r = rows[start + i]!;
        const weight = data.w[r]! * norm;
        const gradAt = withGradient ? dRaw / 4 + i * padded : 0;
        const grad = withGradient ? mem : undefined;
        loss +=
          weight *
          rowLoss(mem, raw + i * padded, data.y[r]!, data.c[r] === 1, weight, grad, gradAt);
      }
      if (withGradient) this.kernels.backward(count);
    }
    return loss;
  }
}
