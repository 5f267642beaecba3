import { beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../../federated/model/backend.ts';
import { pinballLoss } from '../../../federated/model/loss.ts';
import {
  createModel,
  getFlatWeights,
  modelShape,
  setFlatWeights,
  toQuantiles,
} from '../../../federated/model/network.ts';
import { seededRandom } from '../../../federated/model/random.ts';
import { predictQuantiles, trainLocal } from '../../../federated/model/train.ts';
import { packSamples, type TrainingSample } from '../../../federated/model/training-data.ts';
import {
  tfjsLossAndGradient,
  tfjsQuantiles,
  trainTfjs,
} from '../../../federated/model/tfjs-reference.ts';
import { createEngine } from '../../../federated/model/fused/trainer.ts';
import { denseLayers } from '../../../federated/model/fused/layout.ts';
import { ScalarEngine } from '../../../federated/model/fused/scalar-engine.ts';
import { SimdEngine } from '../../../federated/model/fused/wasm/simd-engine.ts';
import { rowLoss } from '../../../federated/model/fused/quantile-head.ts';
import { extractSamples } from '../../../federated/features/extract.ts';
import { loadCsvHistories } from '../../../electron/forecast/csv-histories.ts';
import { bakeryChainCsv } from '../../../electron/logs/demo.ts';

const engines = ['js', 'wasm-simd'] as const;

beforeAll(async () => {
  await initBackend();
});

/** Feature rows with zeros, negatives and one-hot-like columns; a share of sold-out rows. */
function syntheticSamples(n: number, seed: number, censoredShare = 0.3): TrainingSample[] {
  const random = seededRandom(seed);
  return Array.from({ length: n }, () => ({
    x: Array.from({ length: modelShape.inputFeatures }, () =>
      random() < 0.4 ? 0 : random() * 4 - 1,
    ),
    y: random() < 0.05 ? 0 : random() * 3,
    censored: random() < censoredShare,
    level: 1 + random() * 200,
    sold: 10,
  }));
}

/** Fresh seeded weights moved off their initial values, so no bias is still exactly zero. */
function someWeights(seed: number): Float32Array {
  const model = createModel(seed);
  const w = getFlatWeights(model);
  model.dispose();
  const random = seededRandom(seed + 100);
  return w.map((v) => v + (random() - 0.5) * 0.2);
}

/** max |a − b| over the largest |b|: a scale-free gap between two gradients or weight sets. */
function relativeGap(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let gap = 0;
  let scale = 1e-6;
  for (let i = 0; i < b.length; i++) {
    gap = Math.max(gap, Math.abs(a[i]! - b[i]!));
    scale = Math.max(scale, Math.abs(b[i]!));
  }
  return gap / scale;
}

describe('the fused head and loss', () => {
  it('has TF.js’s loss and gradient for every quantile, sold out or not', () => {
    fc.assert(
      fc.property(
        // float32 inputs, as training feeds them (a double that rounds to a tie is no case).
        fc.array(fc.float({ min: -4, max: 4, noNaN: true }), { minLength: 5, maxLength: 5 }),
        fc.float({ min: 0, max: 6, noNaN: true }),
        fc.boolean(),
        (raw, y, censored) => {
          const grad = new Float64Array(5);
          const loss = rowLoss(Float64Array.from(raw), 0, y, censored, 1, grad);
          const reference = tf.tidy(() => {
            const f = (r: tf.Tensor) =>
              pinballLoss(
                toQuantiles(r as tf.Tensor2D),
                tf.tensor2d([[y]]),
                tf.tensor2d([[censored ? 1 : 0]]),
                tf.tensor2d([[1]]),
              );
            const { value, grad: g } = tf.valueAndGrad(f)(tf.tensor2d([raw]));
            return { loss: value.dataSync()[0]!, grad: Array.from(g.dataSync()) };
          });
          expect(loss).toBeCloseTo(reference.loss, 4);
          for (let k = 0; k < 5; k++) expect(grad[k]!).toBeCloseTo(reference.grad[k]!, 5);
          if (censored) for (const g of grad.slice(1)) expect(g).toBeLessThanOrEqual(0);
        },
      ),
      { numRuns: 60 },
    );
  });
});

describe.each(engines)('the %s engine against TF.js', (choice) => {
  it('computes the gradient of random batches (censored rows, hidden weather)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 1_000_000 }),
        fc.integer({ min: 1, max: 300 }),
        (seed, m) => {
          const data = packSamples(syntheticSamples(m, seed));
          const random = seededRandom(seed + 1);
          const rows = Int32Array.from({ length: m }, () => Math.floor(random() * m));
          const hidden = Uint8Array.from({ length: m }, () => (random() < 0.3 ? 1 : 0));
          const weights = someWeights(seed % 50);
          const reference = tfjsLossAndGradient(weights, data, rows, hidden);
          const engine = createEngine(choice);
          engine.load(weights);
          const fused = engine.gradient({ data, rows, hidden });
          expect(fused.loss).toBeCloseTo(reference.loss, 5);
          expect(relativeGap(fused.gradient, reference.gradient)).toBeLessThan(1e-5);
          // The gradient is of the loss at these weights: nothing moved.
          expect(engine.weights()).toEqual(weights);
        },
      ),
      { numRuns: 15 },
    );
  });

  it('accumulates a batch larger than one kernel pass', () => {
    const data = packSamples(syntheticSamples(1300, 5));
    const rows = Int32Array.from({ length: 1300 }, (_, i) => i);
    const weights = someWeights(2);
    const reference = tfjsLossAndGradient(weights, data, rows);
    const engine = createEngine(choice);
    engine.load(weights);
    const fused = engine.gradient({ data, rows });
    expect(fused.loss).toBeCloseTo(reference.loss, 5);
    expect(relativeGap(fused.gradient, reference.gradient)).toBeLessThan(1e-5);
  });

  it('takes the same Adam steps (two full-batch steps, the second at the decayed rate)', async () => {
    const samples = syntheticSamples(200, 9);
    const options = {
      initialWeights: someWeights(4),
      samples,
      epochs: 2,
      learningRate: 0.01,
      batchSize: 256,
      seed: 3,
    };
    const reference = await trainTfjs(options);
    const fused = await trainLocal({ ...options, engine: choice });
    const moved = relativeGap(reference.weights, options.initialWeights);
    expect(moved).toBeGreaterThan(1e-3);
    expect(relativeGap(fused.weights, reference.weights)).toBeLessThan(1e-5);
    expect(fused.lossAfter).toBeCloseTo(reference.lossAfter, 5);
  });

  it('follows the TF.js loss trajectory over a short run on real days', async () => {
    const real = loadCsvHistories(bakeryChainCsv, { store: '2' })
      .flatMap((p) => extractSamples(p.history, { to: '2018-06-30' }))
      .slice(0, 600);
    // The shipped data has no sold-out days: mark some, so the censored branch trains too.
    const samples = real.map((s, i) => ({ ...s, censored: i % 5 === 0 }));
    const options = { samples, epochs: 4, learningRate: 0.006, batchSize: 64, seed: 11 };
    const referenceLosses: number[] = [];
    const reference = await trainTfjs({ ...options, onBatch: (l) => referenceLosses.push(l) });
    const epochLosses: number[] = [];
    const fused = await trainLocal({
      ...options,
      engine: choice,
      onProgress: ({ loss }) => void epochLosses.push(loss),
    });
    expect(fused.lossAfter).toBeLessThan(fused.lossBefore * 0.6);
    expect(fused.lossBefore).toBeCloseTo(reference.lossBefore, 5);
    expect(fused.lossAfter).toBeCloseTo(reference.lossAfter, 4);
    const perEpoch = referenceLosses.length / options.epochs;
    const referenceEpochs = Array.from(
      { length: options.epochs },
      (_, e) =>
        referenceLosses.slice(e * perEpoch, (e + 1) * perEpoch).reduce((a, b) => a + b, 0) /
        perEpoch,
    );
    epochLosses.forEach((loss, e) => expect(loss).toBeCloseTo(referenceEpochs[e]!, 4));
    expect(relativeGap(fused.weights, reference.weights)).toBeLessThan(1e-4);
  });
});

describe('the SIMD kernels for another shape', () => {
  it('pad inputs and units that are not multiples of four, and agree with the plain engine', () => {
    // A feature spec that grows (a new column, wider layers) must not need new kernels.
    const shape = { inputFeatures: 37, hiddenUnits: [9, 6], outputs: 5 };
    const layers = denseLayers(shape);
    const random = seededRandom(77);
    const n = 700;
    const f = shape.inputFeatures;
    const data = {
      x: Float32Array.from({ length: n * f }, () => (random() < 0.4 ? 0 : random() * 4 - 1)),
      y: Float32Array.from({ length: n }, () => random() * 3),
      c: Float32Array.from({ length: n }, () => (random() < 0.3 ? 1 : 0)),
      w: Float32Array.from({ length: n }, () => 0.5 + random()),
      n,
      f,
    };
    const weights = Float32Array.from({ length: layers.at(-1)!.bias + 5 }, () => random() - 0.5);
    const rows = Int32Array.from({ length: 600 }, () => Math.floor(random() * n));
    const hidden = Uint8Array.from({ length: 600 }, () => (random() < 0.3 ? 1 : 0));
    const simd = new SimdEngine(layers, 256);
    const scalar = new ScalarEngine(layers);
    for (const engine of [simd, scalar]) engine.load(weights);
    const a = simd.gradient({ data, rows, hidden });
    const b = scalar.gradient({ data, rows, hidden });
    expect(a.loss).toBeCloseTo(b.loss, 5);
    expect(relativeGap(a.gradient, b.gradient)).toBeLessThan(1e-5);
    for (const engine of [simd, scalar]) engine.step({ data, rows, hidden }, 0.01);
    expect(relativeGap(simd.weights(), scalar.weights())).toBeLessThan(1e-5);
    expect(simd.loss(data)).toBeCloseTo(scalar.loss(data), 5);
  });
});

describe('the trained model', () => {
  const samples = syntheticSamples(400, 21);
  const options = { samples, epochs: 3, learningRate: 0.01, batchSize: 64, seed: 5 };

  it('is deterministic under a seed, and the same on both engines', async () => {
    const first = await trainLocal(options);
    expect((await trainLocal(options)).weights).toEqual(first.weights);
    expect((await trainLocal({ ...options, seed: 6 })).weights).not.toEqual(first.weights);
    const scalar = await trainLocal({ ...options, engine: 'js' });
    expect(relativeGap(scalar.weights, first.weights)).toBeLessThan(1e-4);
  });

  it('keeps the TF.js layout: it loads into the TF.js model, which predicts the same', async () => {
    const trained = await trainLocal(options);
    const model = createModel(1);
    setFlatWeights(model, trained.weights);
    expect(getFlatWeights(model)).toEqual(trained.weights);
    // Tensor order and shapes as TF.js names them: kernel [in, out], bias [out], per layer.
    expect(model.getWeights().map((w) => w.shape)).toEqual([
      [modelShape.inputFeatures, 32],
      [32],
      [32, 16],
      [16],
      [16, modelShape.outputs],
      [modelShape.outputs],
    ]);
    model.dispose();
    const rows = samples.slice(0, 50).map((s) => s.x);
    const reference = tfjsQuantiles(trained.weights, rows);
    predictQuantiles(trained.weights, rows).forEach((q, i) =>
      q.forEach((v, k) => expect(v).toBeCloseTo(reference[i]![k]!, 5)),
    );
  });
});
