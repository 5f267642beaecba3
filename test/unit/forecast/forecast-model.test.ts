import { beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { initTrainer, predictQuantiles, trainLocal } from '../../../federated/model/train.ts';
import { extractSamples } from '../../../federated/features/extract.ts';
import { loadCsvHistories } from '../../../electron/forecast/csv-histories.ts';
import { bakeryChainCsv as chain } from '../../../electron/logs/demo.ts';
import { predictModel } from '../../../electron/forecast/forecast-model.ts';

let networks: Float32Array[];
let rows: number[][];

beforeAll(async () => {
  await initTrainer();
  const products = loadCsvHistories(chain, { store: '2' }).slice(0, 2);
  const samples = products.flatMap((p) => extractSamples(p.history)).slice(-600);
  rows = samples.slice(-40).map((s) => s.x);
  // Differently trained networks of the production shape: their forecasts differ.
  networks = await Promise.all(
    [1, 2, 3].map(
      async (seed) =>
        (await trainLocal({ samples, epochs: 2, learningRate: 0.003, batchSize: 128, seed }))
          .weights,
    ),
  );
});

describe('a forecast model of several networks', () => {
  it('forecasts the share-weighted average of its networks’ quantiles, in order', () => {
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: 0, max: 5, noNaN: true }), { minLength: 3, maxLength: 3 }),
        (raw) => {
          fc.pre(raw.some((s) => s > 1e-3));
          const members = networks.map((weights, i) => ({ weights, share: raw[i]! }));
          const total = raw.reduce((a, b) => a + b, 0);
          const alone = networks.map((w) => predictQuantiles(w, rows));
          const blended = predictModel(members, rows);
          blended.forEach((q, r) => {
            q.forEach((v, k) => {
              const mean = alone.reduce((sum, a, i) => sum + (raw[i]! / total) * a[r]![k]!, 0);
              expect(v).toBeCloseTo(mean, 4);
              // Between the lowest and the highest network at this level.
              const levels = alone.map((a) => a[r]![k]!);
              expect(v).toBeGreaterThanOrEqual(Math.min(...levels) - 1e-5);
              expect(v).toBeLessThanOrEqual(Math.max(...levels) + 1e-5);
            });
            for (let k = 1; k < q.length; k++)
              expect(q[k]!).toBeGreaterThanOrEqual(q[k - 1]! - 1e-6);
          });
        },
      ),
      { numRuns: 25 },
    );
  });

  it('is one network’s forecast when given one network', () => {
    expect(predictModel(networks[0]!, rows)).toEqual(predictQuantiles(networks[0]!, rows));
    expect(predictModel([{ weights: networks[1]!, share: 2 }], rows)).toEqual(
      predictQuantiles(networks[1]!, rows),
    );
  });

  it('refuses a model without a network or with negative or zero shares', () => {
    expect(() => predictModel([], rows)).toThrow(RangeError);
    expect(() => predictModel([{ weights: networks[0]!, share: -1 }], rows)).toThrow(RangeError);
    expect(() =>
      predictModel(
        networks.map((weights) => ({ weights, share: 0 })),
        rows,
      ),
    ).toThrow(RangeError);
  });
});
