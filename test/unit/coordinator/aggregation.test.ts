import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  applyServerOptimizer,
  clipUpdate,
  emptyOptimizerState,
  l2Norm,
  parseOptimizerState,
  sampleWeight,
  serializeOptimizerState,
  weightedAverage,
  withinClipBound,
} from '../../../federated/aggregation/index.ts';

const vector = (n: number) =>
  fc.float32Array({
    minLength: n,
    maxLength: n,
    noNaN: true,
    noDefaultInfinity: true,
    min: -100,
    max: 100,
  });

describe('weighted federated averaging', () => {
  it('weighs updates by their weight', () => {
    const avg = weightedAverage([
      { delta: Float32Array.from([1, 0]), weight: 3 },
      { delta: Float32Array.from([0, 1]), weight: 1 },
    ]);
    expect(Array.from(avg)).toEqual([0.75, 0.25]);
  });

  it('caps sample weights and gives equal weight on request', () => {
    expect(sampleWeight(50_000, 'samples', 10_000)).toBe(10_000);
    expect(sampleWeight(120, 'samples', 10_000)).toBe(120);
    expect(sampleWeight(120, 'equal', 10_000)).toBe(1);
  });

  it('is a convex combination: every coordinate lies between the smallest and largest input', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(vector(5), fc.integer({ min: 1, max: 1000 })), {
          minLength: 1,
          maxLength: 8,
        }),
        (items) => {
          const avg = weightedAverage(items.map(([delta, weight]) => ({ delta, weight })));
          for (let i = 0; i < 5; i++) {
            const values = items.map(([d]) => d[i]!);
            expect(avg[i]!).toBeGreaterThanOrEqual(Math.min(...values) - 1e-9);
            expect(avg[i]!).toBeLessThanOrEqual(Math.max(...values) + 1e-9);
          }
        },
      ),
    );
  });

  it('refuses mismatched lengths and non-positive weights', () => {
    expect(() => weightedAverage([])).toThrow();
    expect(() =>
      weightedAverage([
        { delta: new Float32Array(2), weight: 1 },
        { delta: new Float32Array(3), weight: 1 },
      ]),
    ).toThrow();
    expect(() => weightedAverage([{ delta: new Float32Array(2), weight: 0 }])).toThrow();
  });
});

describe('clipping', () => {
  it('never leaves an update above the bound, and leaves short ones alone', () => {
    fc.assert(
      fc.property(vector(16), fc.double({ min: 0.01, max: 50, noNaN: true }), (update, clip) => {
        const { clipped, norm } = clipUpdate(update, clip);
        expect(withinClipBound(l2Norm(clipped), clip)).toBe(true);
        if (norm <= clip) expect(Array.from(clipped)).toEqual(Array.from(update));
      }),
    );
  });
});

describe('server optimizers', () => {
  const global = Float32Array.from([1, 2]);
  const delta = Float64Array.from([0.5, -1]);

  it('FedAvg adds the server-scaled average update', () => {
    const { weights } = applyServerOptimizer(
      global,
      delta,
      { kind: 'fedavg', learningRate: 1 },
      null,
    );
    expect(Array.from(weights)).toEqual([1.5, 1]);
  });

  it('FedAvgM accumulates momentum across rounds', () => {
    const opt = { kind: 'fedavgm' as const, learningRate: 1, momentum: 0.5 };
    const first = applyServerOptimizer(global, delta, opt, null);
    expect(Array.from(first.weights)).toEqual([1.5, 1]);
    const second = applyServerOptimizer(first.weights, delta, opt, first.state);
    // m = 0.5 * m + delta = 1.5 * delta
    expect(Array.from(second.weights)).toEqual([1.5 + 0.75, 1 - 1.5]);
  });

  it('FedAdam follows Reddi et al. (m, v with tau) and survives serialisation', () => {
    const opt = { kind: 'fedadam' as const, learningRate: 0.1, beta1: 0.9, beta2: 0.99, tau: 1e-3 };
    const { weights, state } = applyServerOptimizer(
      global,
      delta,
      opt,
      emptyOptimizerState('fedadam'),
    );
    const m0 = 0.1 * 0.5;
    const v0 = 0.99 * 1e-6 + 0.01 * 0.25;
    expect(weights[0]).toBeCloseTo(1 + (0.1 * m0) / (Math.sqrt(v0) + 1e-3), 5);
    const restored = parseOptimizerState(serializeOptimizerState(state));
    expect(Array.from(restored.m!)).toEqual(Array.from(state.m!));
    expect(Array.from(restored.v!)).toEqual(Array.from(state.v!));
  });
});
