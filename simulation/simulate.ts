import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Sample } from '../federated/features/extract.ts';
import { addDays } from '../federated/calendar/dates.ts';
import { initTrainer, trainLocal } from '../federated/model/train.ts';
import type { RoundSettings } from '../federated/protocol/index.ts';
import { trainingSettings } from '../electron/forecast/training-settings.ts';
import { consortiumWeights, localWeights } from '../electron/forecast/consortium-model.ts';
import type { LocalTrainer } from '../electron/sync/trainer.ts';
import { samplesTrainer } from '../electron/sync/model-trainer.ts';
import { loadBakeries, type SimBakery } from './bakeries.ts';
import {
  connectCoordinator,
  enrolShops,
  heldGlobalModel,
  runRounds,
  startLocalCoordinator,
  type RoundOutcome,
  type RoundProgress,
  type RunningCoordinator,
} from './consortium.ts';
import {
  scoredDays,
  scoreModel,
  scoreNaive,
  Tally,
  type Figures,
} from '../electron/forecast/day-ahead-scoring.ts';

export const methods = ['federated', 'local', 'centralized', 'naive'] as const;
export type Method = (typeof methods)[number];
type ByMethod<T> = Record<Method, T>;

export type ShopResult = {
  id: string;
  trainDays: number;
  testDays: number;
  wape: ByMethod<number>;
  waste: ByMethod<number>;
  shortage: ByMethod<number>;
};

export type SimulationResult = {
  shops: ShopResult[];
  overall: { wape: ByMethod<number>; waste: ByMethod<number>; shortage: ByMethod<number> };
  rounds: number;
  backend: string;
  /** Rounds that ran, with their outcome at the coordinator. */
  roundLog: RoundOutcome[];
  settings: {
    holdoutDays: number;
    trainDays: number | null;
    criticalRatio: number;
    secureAggregation: boolean;
    noiseMultiplier: number;
    dropout: number;
    seed: number;
    round: Partial<RoundSettings>;
  };
  /** The merged model alone (no local adaptation), for reference. */
  globalOnly: { wape: number; waste: number; shortage: number };
  seconds: number;
};

export type SimulationOptions = {
  files: string[];
  holdoutDays?: number;
  rounds?: number;
  secureAggregation?: boolean;
  noiseMultiplier?: number;
  dropout?: number;
  criticalRatio?: number;
  trainDays?: number;
  seed?: number;
  coordinator?: { url: string; operator: string; password: string };
  /** Round settings beyond the privacy flags (local epochs, clip norm…). */
  round?: Partial<RoundSettings>;
  onProgress?: (progress: SimulationProgress) => void;
};

export type SimulationProgress =
  | { kind: 'stage'; stage: string }
  | { kind: 'train'; method: 'local' | 'centralized' | 'adapt'; done: number; total: number }
  | RoundProgress;

/** Round settings of the simulated consortium: the production learning rate and batch size. */
export function simulationRoundSettings(
  options: SimulationOptions,
  shops: number,
): Partial<RoundSettings> {
  return {
    mode: options.secureAggregation ? 'secure' : 'plain',
    localEpochs: 3,
    learningRate: 0.003,
    batchSize: 128,
    clipNorm: 2,
    minShops: Math.min(2, shops),
    weighting: 'samples',
    maxSampleWeight: 100_000,
    serverOptimizer: { kind: 'fedavg', learningRate: 1 },
    noiseMultiplier: options.noiseMultiplier ?? 0,
    deadlines: {
      openSeconds: 0,
      advertiseSeconds: 3600,
      shareSeconds: 3600,
      collectSeconds: 3600,
      unmaskSeconds: 3600,
    },
    ...options.round,
  };
}

/** A shop's trainer over its training days only: the held-out days are never seen. */
function bakeryTrainer(bakery: SimBakery): LocalTrainer {
  const recentFrom = addDays(bakery.firstHoldout, -28);
  return samplesTrainer({
    training: () => bakery.trainingSamples,
    recent: () => bakery.trainingSamples.filter((s) => s.date >= recentFrom),
    emptyMessage: `${bakery.id} has no training samples`,
  });
}

function refuseUnsupported(options: SimulationOptions): void {
  if ((options.noiseMultiplier ?? 0) > 0 && !options.secureAggregation)
    throw new Error(
      'noise is added by the shops as shares of the secure-aggregation sum: --noise-multiplier needs --secure-aggregation',
    );
}

const byMethod = <T>(f: (m: Method) => T): ByMethod<T> =>
  Object.fromEntries(methods.map((m) => [m, f(m)])) as ByMethod<T>;

/**
 * The consortium simulation: every (file, store) is a bakery keeping its last H days for
 * evaluation; federated (the real protocol over HTTP, then the app's local adaptation), local
 * (each alone), centralized (pooled) and naive (same weekday last week) are scored on the same
 * held-out days with day-ahead forecasts.
 */
export async function simulate(options: SimulationOptions): Promise<SimulationResult> {
  refuseUnsupported(options);
  const started = performance.now();
  const holdoutDays = options.holdoutDays ?? 28;
  const rounds = options.rounds ?? 5;
  const seed = options.seed ?? 1;
  const criticalRatio = options.criticalRatio ?? 0.7;
  const progress = options.onProgress ?? (() => {});
  const backend = await initTrainer();

  progress({ kind: 'stage', stage: 'reading data' });
  const bakeries = loadBakeries(options.files, {
    holdoutDays,
    ...(options.trainDays !== undefined ? { trainDays: options.trainDays } : {}),
  });
  const trainable = bakeries.filter((b) => b.trainingSamples.length > 0);
  if (trainable.length < 2)
    throw new Error(
      `only ${trainable.length} bakery has enough history to train (a product needs 14 open days before the holdout): a consortium needs two`,
    );

  const tallies = new Map<string, ByMethod<Tally> & { global: Tally }>();
  const days = new Map(trainable.map((b) => [b.id, scoredDays(b.products, b.firstHoldout)]));
  for (const b of trainable) {
    const t = { ...byMethod(() => new Tally()), global: new Tally() };
    t.naive = scoreNaive(days.get(b.id)!);
    tallies.set(b.id, t);
  }

  // Local: each bakery alone, with the app's production training.
  for (const [i, b] of trainable.entries()) {
    progress({ kind: 'train', method: 'local', done: i, total: trainable.length });
    const weights = await localWeights(b.trainingSamples, { seed });
    tallies.get(b.id)!.local = scoreModel(weights, days.get(b.id)!, criticalRatio);
  }
  progress({ kind: 'train', method: 'local', done: trainable.length, total: trainable.length });

  // Centralized: one model on everybody's pooled training days.
  progress({ kind: 'train', method: 'centralized', done: 0, total: 1 });
  const pooled: Sample[] = trainable.flatMap((b) => b.trainingSamples);
  const central = await trainLocal({ samples: pooled, ...trainingSettings(pooled.length), seed });
  for (const b of trainable)
    tallies.get(b.id)!.centralized = scoreModel(central.weights, days.get(b.id)!, criticalRatio);
  progress({ kind: 'train', method: 'centralized', done: 1, total: 1 });

  // Federated: the real protocol over HTTP.
  const round = simulationRoundSettings(options, trainable.length);
  const dir = mkdtempSync(join(tmpdir(), 'breadcast-simulate-'));
  let coordinator: RunningCoordinator | null = null;
  let shops: Awaited<ReturnType<typeof enrolShops>> = [];
  let roundLog: RoundOutcome[];
  try {
    progress({ kind: 'stage', stage: 'enrolling bakeries' });
    coordinator = options.coordinator
      ? await connectCoordinator(
          options.coordinator.url,
          options.coordinator.operator,
          options.coordinator.password,
        )
      : await startLocalCoordinator({ dir, seed });
    shops = await enrolShops(
      coordinator,
      dir,
      trainable.map((b) => ({ id: b.id, name: `Simulated ${b.id}`, trainer: bakeryTrainer(b) })),
    );
    roundLog = await runRounds({
      coordinator,
      shops,
      rounds,
      settings: round,
      dropout: options.dropout ?? 0,
      seed,
      onProgress: progress,
    });
    if (!roundLog.some((r) => r.phase === 'published'))
      throw new Error(
        `no federated round completed (${roundLog.map((r) => `round ${r.id}: ${r.failureReason ?? r.phase}`).join('; ')})` +
          (options.secureAggregation
            ? '. The shops did not complete secure aggregation: their sync client must take part in secure rounds.'
            : ''),
      );
    for (const [i, shop] of shops.entries()) {
      progress({ kind: 'train', method: 'adapt', done: i, total: shops.length });
      const b = trainable.find((x) => x.id === shop.id)!;
      const { weights: global } = heldGlobalModel(shop);
      const t = tallies.get(b.id)!;
      t.global = scoreModel(global, days.get(b.id)!, criticalRatio);
      const adapted = await consortiumWeights(global, b.trainingSamples, { seed });
      t.federated = scoreModel(adapted.weights, days.get(b.id)!, criticalRatio);
    }
    progress({ kind: 'train', method: 'adapt', done: shops.length, total: shops.length });
  } finally {
    for (const shop of shops) shop.db.close();
    await coordinator?.close();
    rmSync(dir, { recursive: true, force: true });
  }

  const overall = { ...byMethod(() => new Tally()), global: new Tally() };
  const shopResults: ShopResult[] = trainable.map((b) => {
    const t = tallies.get(b.id)!;
    for (const m of [...methods, 'global'] as const) overall[m].merge(t[m]);
    const f = byMethod((m) => t[m].figures());
    return {
      id: b.id,
      trainDays: b.trainDays,
      testDays: new Set(days.get(b.id)!.map((d) => d.date)).size,
      ...split(f),
    };
  });
  const overallFigures = byMethod((m) => overall[m].figures());
  return {
    shops: shopResults,
    overall: split(overallFigures),
    rounds: roundLog.filter((r) => r.phase === 'published').length,
    backend,
    roundLog,
    settings: {
      holdoutDays,
      trainDays: options.trainDays ?? null,
      criticalRatio,
      secureAggregation: options.secureAggregation ?? false,
      noiseMultiplier: options.noiseMultiplier ?? 0,
      dropout: options.dropout ?? 0,
      seed,
      round,
    },
    globalOnly: overall.global.figures(),
    seconds: (performance.now() - started) / 1000,
  };
}

function split(f: ByMethod<Figures>) {
  return {
    wape: byMethod((m) => f[m].wape),
    waste: byMethod((m) => f[m].waste),
    shortage: byMethod((m) => f[m].shortage),
  };
}
