import * as tf from '@tensorflow/tfjs';
import { extractSamples } from '../../federated/features/extract.ts';
import { initBackend } from '../../federated/model/backend.ts';
import { modelShape } from '../../federated/model/network.ts';
import { trainLocal } from '../../federated/model/train.ts';
import { bakeryChainCsv } from '../../electron/logs/demo.ts';
import { loadCsvHistories } from '../../electron/forecast/csv-histories.ts';
import { trainingSettings } from '../../electron/forecast/training-settings.ts';

export type TrainingBench = {
  backend: string;
  samplesPerSecond: number;
  inputFeatures: number;
  hiddenUnits: number[];
  outputs: number;
  batchSize: number;
  epochs: number;
  samples: number;
  /** Floating-point operations per second the training reached (forward + backward ≈ 3× forward). */
  trainingGflops: number;
  /** The same backend multiplying 256×256 matrices: the baseline. */
  matMulGflops: number;
};

/** Multiply-adds of one forward pass through the production network, ×2 for FLOPs. */
function forwardFlops(): number {
  let inputs: number = modelShape.inputFeatures;
  let flops = 0;
  for (const units of [...modelShape.hiddenUnits, modelShape.outputs]) {
    flops += 2 * inputs * units;
    inputs = units;
  }
  return flops;
}

async function matMulGflops(seconds = 1.5): Promise<number> {
  const n = 256;
  const a = tf.randomNormal([n, n], 0, 1, 'float32', 1);
  const b = tf.randomNormal([n, n], 0, 1, 'float32', 2);
  tf.matMul(a, b).dataSync(); // warm-up
  let runs = 0;
  const started = performance.now();
  while (performance.now() - started < seconds * 1000) {
    const c = tf.matMul(a, b);
    c.dataSync();
    c.dispose();
    runs++;
  }
  const elapsed = (performance.now() - started) / 1000;
  a.dispose();
  b.dispose();
  return (runs * 2 * n * n * n) / elapsed / 1e9;
}

/**
 * Local training throughput of the production model with the production settings for a
 * typical bakery (chain store 2: three products, about 3,500 samples), on `backend`.
 */
export async function benchTraining(backend: string | null, epochs = 3): Promise<TrainingBench> {
  await initBackend();
  if (backend) await tf.setBackend(backend);
  await tf.ready();
  const products = loadCsvHistories(bakeryChainCsv, { store: '2' });
  const samples = products.flatMap((p) => extractSamples(p.history));
  const settings = trainingSettings(samples.length);
  // One epoch first: kernels compile and the heap grows outside the measured run.
  await trainLocal({ samples: samples.slice(0, 512), ...settings, epochs: 1, seed: 1 });
  const started = performance.now();
  await trainLocal({ samples, ...settings, epochs, seed: 1 });
  const seconds = (performance.now() - started) / 1000;
  // trainLocal also evaluates the loss on all samples before and after: two forward passes.
  const samplesPerSecond = (samples.length * epochs) / seconds;
  const trainingGflops = (samples.length * (3 * epochs + 2) * forwardFlops()) / seconds / 1e9;
  return {
    backend: tf.getBackend(),
    samplesPerSecond,
    inputFeatures: modelShape.inputFeatures,
    hiddenUnits: [...modelShape.hiddenUnits],
    outputs: modelShape.outputs,
    batchSize: settings.batchSize,
    epochs,
    samples: samples.length,
    trainingGflops,
    matMulGflops: await matMulGflops(),
  };
}

/** The backends this machine can run: the production choice first. */
export async function availableBackends(): Promise<string[]> {
  const production = await initBackend();
  const names: string[] = [production];
  for (const name of ['wasm', 'cpu', 'tensorflow'])
    if (!names.includes(name) && tf.findBackendFactory(name)) names.push(name);
  return names;
}
