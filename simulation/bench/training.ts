import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs';
import { extractSamples } from '../../federated/features/extract.ts';
import { featureIndex } from '../../federated/features/spec.ts';
import { createEngine, type EngineChoice } from '../../federated/model/fused/trainer.ts';
import { modelShape } from '../../federated/model/network.ts';
import { trainTfjs } from '../../federated/model/tfjs-reference.ts';
import { initTrainer, trainLocal, type TrainingSample } from '../../federated/model/train.ts';
import { packSamples } from '../../federated/model/training-data.ts';
import { bakeryChainCsv } from '../../electron/logs/demo.ts';
import { loadCsvHistories } from '../../electron/forecast/csv-histories.ts';
import { trainingSettings } from '../../electron/forecast/training-settings.ts';

/** Throughput of one trainer: the median and the best of several timed runs. */
export type Throughput = { samplesPerSecond: number; bestSamplesPerSecond: number; runs: number };

export type PytorchBench =
  | (Throughput & { torch: string; threads: number; lossBefore: number; lossAfter: number })
  | { missing: string };

export type TrainingBench = {
  /** The engine production trains with here (fused-wasm-simd, or fused-js without SIMD). */
  backend: string;
  samplesPerSecond: number;
  bestSamplesPerSecond: number;
  inputFeatures: number;
  hiddenUnits: number[];
  outputs: number;
  batchSize: number;
  epochs: number;
  samples: number;
  runs: number;
  /** Floating-point operations per second the production engine reached (median run). */
  trainingGflops: number;
  /** The same network, loss, batch and optimizer in PyTorch on CPU (2 threads), this run. */
  pytorch: PytorchBench;
  /**
   * PyTorch on one thread, as the fused engine runs: on a busy machine two PyTorch threads can
   * be far slower than one (they wait on each other), and this shows it.
   */
  pytorchOneThread: PytorchBench;
  /** samplesPerSecond ÷ PyTorch's (medians); null without PyTorch. */
  ratioToPytorch: number | null;
  /** Other trainers of the project on the same work: the plain-TypeScript engine, and TF.js. */
  others: { trainer: string; samplesPerSecond: number }[];
  /** The machine's 1-minute load average when the bench started (it is shared). */
  loadAverage: number;
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

const median = (values: number[]) => [...values].sort((a, b) => a - b)[values.length >> 1]!;

/** Times `runs` trainings (after one warm-up) and returns samples/s, median and best. */
async function time(
  runs: number,
  work: number,
  train: () => Promise<unknown>,
): Promise<Throughput> {
  await train();
  const rates: number[] = [];
  for (let i = 0; i < runs; i++) {
    const started = performance.now();
    await train();
    rates.push(work / ((performance.now() - started) / 1000));
  }
  return { samplesPerSecond: median(rates), bestSamplesPerSecond: Math.max(...rates), runs };
}

const pytorchScript = fileURLToPath(new URL('./pytorch_reference.py', import.meta.url));

/**
 * The PyTorch reference (simulation/bench/pytorch_reference.py) on the same samples and settings,
 * when python3 with torch is here; PyTorch is not a project dependency, so its absence is
 * reported, not an error. Any other failure of the script is one.
 */
export function benchPytorch(
  samples: TrainingSample[],
  settings: { epochs: number; learningRate: number; batchSize: number },
  runs: number,
  threads: number,
  python: readonly string[] = ['python3'],
): PytorchBench {
  const data = packSamples(samples);
  const width = data.f + 3;
  const table = new Float32Array(data.n * width);
  for (let i = 0; i < data.n; i++) {
    table.set(data.x.subarray(i * data.f, (i + 1) * data.f), i * width);
    table[i * width + data.f] = data.y[i]!;
    table[i * width + data.f + 1] = data.c[i]!;
    table[i * width + data.f + 2] = data.w[i]!;
  }
  const dir = mkdtempSync(join(tmpdir(), 'breadcast-bench-'));
  try {
    const file = join(dir, 'samples.f32');
    writeFileSync(file, table);
    const weather = ['temperature', 'temperature_missing', 'rain', 'rain_missing'] as const;
    const run = spawnSync(
      python[0]!,
      [
        ...python.slice(1),
        pytorchScript,
        file,
        String(data.f),
        String(settings.epochs),
        String(settings.batchSize),
        String(settings.learningRate),
        String(threads),
        weather.map((name) => featureIndex(name)).join(','),
        String(runs),
      ],
      { encoding: 'utf8', timeout: 600_000 },
    );
    if (run.error) return { missing: `python3 did not run (${run.error.message})` };
    const last = run.stdout.trim().split('\n').at(-1) ?? '';
    if (run.status !== 0 || !last.startsWith('{'))
      throw new Error(`the PyTorch reference failed (exit ${run.status}): ${run.stderr.trim()}`);
    const result = JSON.parse(last) as { missing: string } | Record<string, number | string>;
    if ('missing' in result) return { missing: String(result.missing) };
    return {
      samplesPerSecond: Number(result.samplesPerSecond),
      bestSamplesPerSecond: Number(result.bestSamplesPerSecond),
      runs: Number(result.runs),
      torch: String(result.torch),
      threads: Number(result.threads),
      lossBefore: Number(result.lossBefore),
      lossAfter: Number(result.lossAfter),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * Local training throughput of the production network with the production settings for a
 * typical bakery (chain store 2: three products, about 3,500 samples), each run `epochs` epochs
 * including the two full-data loss evaluations `trainLocal` makes, against PyTorch on the same
 * samples. `others` adds the plain-TypeScript engine and the TF.js reference (one run, slow).
 */
export async function benchTraining(
  options: { epochs?: number; runs?: number; others?: boolean } = {},
): Promise<TrainingBench> {
  const loadAverage = loadavg()[0]!;
  const epochs = options.epochs ?? 3;
  const runs = options.runs ?? 7;
  const backend = await initTrainer();
  const products = loadCsvHistories(bakeryChainCsv, { store: '2' });
  const samples = products.flatMap((p) => extractSamples(p.history));
  const settings = { ...trainingSettings(samples.length), epochs };
  const work = samples.length * epochs;
  const fused = (engine: EngineChoice) =>
    time(runs, work, () => trainLocal({ samples, ...settings, seed: 1, engine }));

  const production = await fused('auto');
  const pytorch = benchPytorch(samples, settings, runs, 2);
  const pytorchOneThread = benchPytorch(samples, settings, runs, 1);
  const others: TrainingBench['others'] = [];
  if (options.others ?? true) {
    if (createEngine('js').name !== backend)
      others.push({ trainer: 'fused-js', samplesPerSecond: (await fused('js')).samplesPerSecond });
    const tfjs = await time(1, work, () => trainTfjs({ samples, ...settings, seed: 1 }));
    others.push({ trainer: `tfjs (${tf.getBackend()})`, samplesPerSecond: tfjs.samplesPerSecond });
  }
  return {
    backend,
    ...production,
    inputFeatures: modelShape.inputFeatures,
    hiddenUnits: [...modelShape.hiddenUnits],
    outputs: modelShape.outputs,
    batchSize: settings.batchSize,
    epochs,
    samples: samples.length,
    trainingGflops:
      (production.samplesPerSecond * (3 * epochs + 2) * forwardFlops()) / epochs / 1e9,
    pytorch,
    pytorchOneThread,
    ratioToPytorch:
      'missing' in pytorch ? null : production.samplesPerSecond / pytorch.samplesPerSecond,
    others,
    loadAverage,
  };
}
