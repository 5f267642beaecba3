import { seededRandom, shuffled } from '../random.ts';
import { abortError, learningRateAt, weatherMask, type PackedSamples } from '../training-data.ts';
import type { TrainingEngine } from './engine.ts';
import { denseLayers } from './layout.ts';
import { ScalarEngine } from './scalar-engine.ts';
import { SimdEngine, simdAvailable } from './wasm/simd-engine.ts';

const layers = denseLayers();

export type EngineChoice = 'auto' | 'wasm-simd' | 'js';

/**
 * The fastest engine this runtime has: WebAssembly SIMD (every current Node and Electron), else
 * plain TypeScript. `BREADCAST_TRAINER=js` forces the fallback (benchmarks, debugging).
 */
export function createEngine(choice: EngineChoice = 'auto'): TrainingEngine {
  if (choice === 'auto') choice = forcedChoice();
  if (choice !== 'js' && simdAvailable(layers)) return new SimdEngine(layers);
  if (choice === 'wasm-simd') throw new Error('this runtime has no WebAssembly SIMD');
  return new ScalarEngine(layers);
}

function forcedChoice(): EngineChoice {
  const forced = typeof process !== 'undefined' ? process.env?.BREADCAST_TRAINER : undefined;
  return forced === 'js' || forced === 'wasm-simd' ? forced : 'auto';
}

export type FusedTrainOptions = {
  data: PackedSamples;
  epochs: number;
  learningRate: number;
  batchSize: number;
  seed: number;
  onEpoch?: (epoch: number, meanBatchLoss: number) => void | Promise<void>;
  signal?: AbortSignal;
};

/**
 * Adam on the censored pinball loss from the engine's loaded weights, drawing shuffles and
 * weather masks from the seeded generator in exactly the order the TF.js reference does, so both
 * see the same batches. Synchronous within an epoch; `onEpoch` is awaited so a caller can yield.
 */
export async function trainEpochs(
  engine: TrainingEngine,
  options: FusedTrainOptions,
): Promise<void> {
  const { data } = options;
  const random = seededRandom(options.seed);
  const batchSize = Math.max(1, Math.min(options.batchSize, data.n));
  const masks = new Uint8Array(batchSize);
  for (let epoch = 1; epoch <= options.epochs; epoch++) {
    const learningRate = learningRateAt(options.learningRate, epoch, options.epochs);
    const order = shuffled(data.n, random);
    let epochLoss = 0;
    let batches = 0;
    for (let start = 0; start < data.n; start += batchSize) {
      if (options.signal?.aborted) throw abortError();
      const rows = order.subarray(start, Math.min(start + batchSize, data.n));
      const hidden = weatherMask(rows.length, random, masks);
      const loss = engine.step({ data, rows, hidden }, learningRate);
      epochLoss += loss;
      batches++;
    }
    await options.onEpoch?.(epoch, epochLoss / batches);
  }
}
