/**
 * Production training settings, measured on the backtests (docs/benchmarks.md): a young bakery
 * (under ~1,500 samples) overfits with many passes, so it gets few; large catalogues get bigger
 * batches and fewer passes so a nightly run stays within seconds on two cores with WASM.
 */
export function trainingSettings(samples: number): {
  epochs: number;
  learningRate: number;
  batchSize: number;
} {
  if (samples < 1500) return { epochs: 12, learningRate: 0.003, batchSize: 128 };
  if (samples < 15_000) return { epochs: 30, learningRate: 0.006, batchSize: 256 };
  return { epochs: 15, learningRate: 0.003, batchSize: 256 };
}
