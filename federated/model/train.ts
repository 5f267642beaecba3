import { quantileLevels } from '../features/spec.ts';
import { modelShape, parameterCount } from './shape.ts';
import { createEngine, trainEpochs, type EngineChoice } from './fused/trainer.ts';
import { packSamples, type TrainingSample } from './training-data.ts';

export type { TrainingSample } from './training-data.ts';
export { levelWeightPower, weatherDropout } from './training-data.ts';

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
  /** Which engine trains; production leaves it to `createEngine` (benchmarks and tests pick). */
  engine?: EngineChoice;
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

/** What trains and predicts here ('fused-wasm-simd' or 'fused-js'): reported with every run. */
export function trainerName(): string {
  return engine().name;
}

/**
 * Prepares this thread to train and names the engine that will, for logs, run records and
 * reports. TF.js is not loaded: only a fresh model's seeded initial weights need it.
 */
export async function initTrainer(log: (message: string) => void = () => {}): Promise<string> {
  const name = trainerName();
  log(`trainer: ${name}`);
  return name;
}

let shared: ReturnType<typeof createEngine> | undefined;
/** One engine per thread for prediction and evaluation (synchronous, so never interleaved). */
function engine() {
  shared ??= createEngine();
  return shared;
}

const freshWeights = new Map<number, Float32Array>();

/**
 * A new model's weights for a seed: TF.js's seeded initialisers (the coordinator's version 1 is
 * the same), computed once per process. Loaded on demand: training from given weights, the
 * nightly case, never pays for importing TF.js.
 */
async function initialWeights(seed: number): Promise<Float32Array> {
  let weights = freshWeights.get(seed);
  if (!weights) {
    const [{ initBackend }, { createModel, getFlatWeights }] = await Promise.all([
      import('./backend.ts'),
      import('./network.ts'),
    ]);
    await initBackend();
    const model = createModel(seed);
    weights = getFlatWeights(model);
    model.dispose();
    freshWeights.set(seed, weights);
  }
  return weights;
}

function checkWeights(weights: Float32Array): void {
  if (weights.length !== parameterCount())
    throw new Error(`expected ${parameterCount()} weights, got ${weights.length}`);
}

/**
 * Local training from `initialWeights` (or a fresh seeded model): Adam on the censored pinball
 * loss, seeded shuffles, so the same inputs give the same weights. A federated round is this from
 * the global weights; the update is `weights − initialWeights`. The fused trainer does the work;
 * it is tested against the TF.js definition (federated/model/tfjs-reference.ts).
 */
export async function trainLocal(options: TrainOptions): Promise<TrainResult> {
  const start = options.initialWeights ?? (await initialWeights(options.seed));
  checkWeights(start);
  const data = packSamples(options.samples);
  if (data.n === 0)
    return { weights: Float32Array.from(start), lossBefore: NaN, lossAfter: NaN, samples: 0 };
  // An engine of its own: two trainings may interleave at their awaited progress callbacks.
  const trainer = createEngine(options.engine);
  trainer.load(start);
  const lossBefore = trainer.loss(data);
  await trainEpochs(trainer, {
    data,
    epochs: options.epochs,
    learningRate: options.learningRate,
    batchSize: options.batchSize,
    seed: options.seed,
    onEpoch: (epoch, loss) => options.onProgress?.({ epoch, epochs: options.epochs, loss }),
    ...(options.signal ? { signal: options.signal } : {}),
  });
  const lossAfter = trainer.loss(data);
  return { weights: trainer.weights(), lossBefore, lossAfter, samples: data.n };
}

/** Relative quantiles (× level = units) for feature rows, p10…p90 per row, non-crossing. */
export function predictQuantiles(weights: Float32Array, rows: ArrayLike<number>[]): number[][] {
  if (rows.length === 0) return [];
  checkWeights(weights);
  const f = modelShape.inputFeatures;
  const x = new Float32Array(rows.length * f);
  rows.forEach((r, i) => {
    if (r.length !== f) throw new Error(`row ${i} has ${r.length} features, expected ${f}`);
    for (let k = 0; k < f; k++) x[i * f + k] = r[k]!;
  });
  const k = quantileLevels.length;
  const out = new Float32Array(rows.length * k);
  const e = engine();
  e.load(weights);
  e.predict(x, rows.length, out);
  return rows.map((_, i) => Array.from(out.subarray(i * k, (i + 1) * k)));
}

/** Aggregate quality of weights on samples: only these figures ever leave a bakery. */
export function evaluate(weights: Float32Array, samples: TrainingSample[]): Metrics {
  if (samples.length === 0)
    return { pinball: NaN, wape: NaN, coverage10: NaN, coverage90: NaN, samples: 0 };
  checkWeights(weights);
  const data = packSamples(samples);
  const e = engine();
  e.load(weights);
  const pinball = e.loss(data);
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
}
