import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import * as tf from '@tensorflow/tfjs';
import { initBackend, type BackendName } from '../../../federated/model/backend.ts';
import { pinballLoss } from '../../../federated/model/loss.ts';
import {
  createModel,
  getFlatWeights,
  modelShape,
  parameterCount,
  setFlatWeights,
} from '../../../federated/model/network.ts';
import { evaluate, predictQuantiles, trainLocal } from '../../../federated/model/train.ts';
import { extractSamples } from '../../../federated/features/extract.ts';
import { loadCsvHistories } from '../../../electron/forecast/csv-histories.ts';
import { bakeryChainCsv as chain } from '../../../electron/logs/demo.ts';

const backendModule = fileURLToPath(
  new URL('../../../federated/model/backend.ts', import.meta.url),
);
/** Every backend the loader may pick; which one a machine gets depends on what installs there. */
const loaderBackends: BackendName[] = ['tensorflow', 'wasm', 'cpu'];

beforeAll(async () => {
  await initBackend();
});

describe('backend', () => {
  it('reports the backend it picked, one the loader knows, and TensorFlow.js runs on it', async () => {
    const reported = await initBackend();
    expect(loaderBackends).toContain(reported);
    expect(tf.getBackend()).toBe(reported);
  });

  it.each(['cpu', 'wasm'] as const)('picks %s when BREADCAST_TF_BACKEND asks for it', (forced) => {
    // A fresh process: the choice is made once per process.
    const reported = execFileSync(
      process.execPath,
      [
        '--import',
        'tsx',
        '--input-type=module',
        '-e',
        `const { initBackend } = await import(${JSON.stringify(backendModule)});
         process.stdout.write(await initBackend());`,
      ],
      { env: { ...process.env, BREADCAST_TF_BACKEND: forced }, encoding: 'utf8' },
    );
    expect(reported).toBe(forced);
  });
});

describe('network', () => {
  it('has the published shape and round-trips flat weights', () => {
    expect(modelShape).toMatchObject({ hiddenUnits: [32, 16], outputs: 5 });
    const model = createModel(3);
    const flat = getFlatWeights(model);
    expect(flat.length).toBe(parameterCount());
    const other = createModel(4);
    expect(getFlatWeights(other)).not.toEqual(flat);
    setFlatWeights(other, flat);
    expect(getFlatWeights(other)).toEqual(flat);
    expect(getFlatWeights(createModel(3))).toEqual(flat); // seeded initialisers
    model.dispose();
    other.dispose();
  });

  it('never predicts crossing quantiles, whatever the weights and inputs', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 1_000_000 }), (seed) => {
        const random = seedRandom(seed);
        const weights = Float32Array.from({ length: parameterCount() }, () => (random() - 0.5) * 6);
        const rows = Array.from({ length: 8 }, () =>
          Array.from({ length: modelShape.inputFeatures }, () => (random() - 0.5) * 10),
        );
        for (const q of predictQuantiles(weights, rows))
          for (let i = 1; i < q.length; i++) expect(q[i]!).toBeGreaterThanOrEqual(q[i - 1]!);
      }),
      { numRuns: 25 },
    );
  });
});

describe('censored pinball loss', () => {
  const grad = (q: number[], y: number, censored: boolean) =>
    tf.tidy(() => {
      const g = tf.grad((qt: tf.Tensor) =>
        pinballLoss(
          qt as tf.Tensor2D,
          tf.tensor2d([[y]]),
          tf.tensor2d([[censored ? 1 : 0]]),
          tf.tensor2d([[1]]),
        ),
      )(tf.tensor2d([q]));
      return Array.from(g.dataSync());
    });

  it('never pushes a prediction down on a sold-out day, and ignores predictions above sales', () => {
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: 0, max: 5, noNaN: true }), { minLength: 5, maxLength: 5 }),
        fc.double({ min: 0, max: 5, noNaN: true }),
        (raw, y) => {
          const q = [...raw].sort((a, b) => a - b);
          grad(q, y, true).forEach((g, i) => {
            // d loss / d q ≤ 0: gradient descent can only raise it.
            expect(g).toBeLessThanOrEqual(0);
            if (q[i]! > y) expect(Math.abs(g)).toBe(0);
          });
        },
      ),
      { numRuns: 40 },
    );
  });

  it('is the ordinary pinball loss on uncensored rows', () => {
    const g = grad([0.5, 0.5, 2, 2, 2], 1, false);
    // Below y: −τ; above y: 1 − τ (divided by the total weight 1).
    expect(g.map((v) => Number(v.toFixed(6)))).toEqual([-0.1, -0.25, 0.5, 0.25, 0.1]);
  });
});

describe('training', () => {
  const histories = loadCsvHistories(chain, { store: '2' });
  const samples = histories.flatMap((p) =>
    extractSamples(p.history, { from: '2018-06-01', to: '2018-12-31' }),
  );
  /** The four months after the training slice, never seen in training. */
  const heldOut = histories.flatMap((p) =>
    extractSamples(p.history, { from: '2019-01-01', to: '2019-04-30' }),
  );

  it('lowers the loss on a small real slice and is deterministic given a seed', async () => {
    expect(samples.length).toBeGreaterThan(400);
    const options = { samples, epochs: 6, learningRate: 0.003, batchSize: 64, seed: 7 };
    const first = await trainLocal(options);
    expect(first.samples).toBe(samples.length);
    expect(first.lossAfter).toBeLessThan(first.lossBefore * 0.5);
    const again = await trainLocal(options);
    expect(again.weights).toEqual(first.weights);
    const otherSeed = await trainLocal({ ...options, seed: 8 });
    expect(otherSeed.weights).not.toEqual(first.weights);
    const metrics = evaluate(first.weights, samples);
    expect(metrics.wape).toBeGreaterThan(0);
    expect(metrics.wape).toBeLessThan(0.5);
  });

  it('is calibrated on held-out days: about 10% sell below p10 and 90% below p90', async () => {
    // Enough epochs that the band is learned, not left at its initial width.
    const trained = await trainLocal({
      samples,
      epochs: 20,
      learningRate: 0.003,
      batchSize: 64,
      seed: 7,
    });
    const held = evaluate(trained.weights, heldOut);
    expect(held.samples).toBeGreaterThan(300);
    // A share near 0.1 over ~350 days has a standard error of 0.016: 0.08 is five of them, room
    // for the winter the model never saw, while quantiles all trained as medians (0.52 and 0.80
    // here) or as the 30% and 70% quantiles fall outside.
    expect(Math.abs(held.coverage10 - 0.1)).toBeLessThanOrEqual(0.08);
    expect(Math.abs(held.coverage90 - 0.9)).toBeLessThanOrEqual(0.08);
  });

  it('continues from given weights (a federated round) and can be cancelled', async () => {
    const base = await trainLocal({
      samples,
      epochs: 1,
      learningRate: 0.003,
      batchSize: 128,
      seed: 1,
    });
    const round = await trainLocal({
      initialWeights: base.weights,
      samples,
      epochs: 1,
      learningRate: 0.003,
      batchSize: 128,
      seed: 1,
    });
    expect(round.lossBefore).toBeCloseTo(base.lossAfter, 4);
    const controller = new AbortController();
    controller.abort();
    await expect(
      trainLocal({
        samples,
        epochs: 3,
        learningRate: 0.003,
        batchSize: 128,
        seed: 1,
        signal: controller.signal,
      }),
    ).rejects.toThrow(/cancelled/);
  });
});

function seedRandom(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
