import type { Sample } from '../federated/features/extract.ts';
import type { RoundSettings } from '../federated/protocol/index.ts';
import type { Coverage } from '../federated/decisions/band-scoring.ts';
import { trainingSettings } from '../electron/forecast/training-settings.ts';
import { consortiumModel, localWeights } from '../electron/forecast/consortium-model.ts';
import type { ForecastModel } from '../electron/forecast/forecast-model.ts';
import { loadBakeries } from './bakeries.ts';
import type { RoundOutcome, RoundProgress } from './consortium.ts';
import { federate, simulationRoundSettings } from './federation.ts';
import {
  scoredDays,
  scoreModel,
  scoreNaive,
  Tally,
  type Figures,
} from '../electron/forecast/day-ahead-scoring.ts';
import { dayForecasts, type DayForecast, type ModelMethod } from './forecasts-file.ts';
import { TrainingPool } from './workers/training-pool.ts';

export { simulationRoundSettings } from './federation.ts';

export const methods = ['federated', 'local', 'centralized', 'naive'] as const;
export type Method = (typeof methods)[number];
type ByMethod<T> = Record<Method, T>;

/** A method's figures for one bakery (null: that method could not be scored there). */
type MethodFigures = {
  wape: ByMethod<number | null>;
  waste: ByMethod<number | null>;
  shortage: ByMethod<number | null>;
  /** Shares of days below p10 and p90 (null for naive, which has no band). */
  coverage: ByMethod<Coverage | null>;
  /** Mean pinball loss over the five quantiles per unit sold. */
  pinball: ByMethod<number | null>;
  /** Coverage and pinball once each day's band is calibrated on the days before it. */
  calibrated: ByMethod<Figures['calibrated']>;
};

/** What went wrong for one bakery; the run goes on without that part. */
export type BakeryFailure = {
  stage: 'local' | 'centralized' | 'round' | 'final sync' | 'federated';
  round: number | null;
  message: string;
};

export type ShopResult = {
  id: string;
  trainDays: number;
  testDays: number;
  failures: BakeryFailure[];
} & MethodFigures;

type OverallFigures = {
  wape: ByMethod<number>;
  waste: ByMethod<number>;
  shortage: ByMethod<number>;
  coverage: ByMethod<Coverage | null>;
  pinball: ByMethod<number>;
  calibrated: ByMethod<Figures['calibrated']>;
};

export type SimulationResult = {
  shops: ShopResult[];
  /** Over the bakeries every method could score (see `excluded`), on the same days. */
  overall: OverallFigures;
  /** Bakeries left out of `overall` because a method has no figures for them. */
  excluded: string[];
  rounds: number;
  backend: string;
  /** Training threads used. */
  threads: number;
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
  globalOnly: Figures;
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
  /** Training threads (default: one per core). */
  threads?: number;
  coordinator?: { url: string; operator: string; password: string };
  /** Round settings beyond the privacy flags (local epochs, clip norm…). */
  round?: Partial<RoundSettings>;
  /** How a bakery reaches the coordinator (default: its URL); tests put a proxy in between. */
  shopUrl?: (bakery: string, coordinatorUrl: string) => string | Promise<string>;
  /** How the operator reaches the in-process coordinator (default: its URL); tests use a proxy. */
  operatorUrl?: (coordinatorUrl: string) => string | Promise<string>;
  /** Called with every scored day's forecasts, per method, once all are known. */
  onForecasts?: (forecasts: DayForecast[]) => void;
  onProgress?: (progress: SimulationProgress) => void;
};

export type SimulationProgress =
  | { kind: 'stage'; stage: string }
  | { kind: 'train'; method: 'local' | 'centralized' | 'adapt'; done: number; total: number }
  | RoundProgress;

function refuseUnsupported(options: SimulationOptions): void {
  if ((options.noiseMultiplier ?? 0) > 0 && !options.secureAggregation)
    throw new Error(
      'noise is added by the shops as shares of the secure-aggregation sum: --noise-multiplier needs --secure-aggregation',
    );
}

const byMethod = <T>(f: (m: Method) => T): ByMethod<T> =>
  Object.fromEntries(methods.map((m) => [m, f(m)])) as ByMethod<T>;

const message = (error: unknown) => (error instanceof Error ? error.message : String(error));

/** Per bakery: each method's tally (null until scored), the merged model's, and what failed. */
type BakeryTallies = {
  methods: ByMethod<Tally | null>;
  global: Tally | null;
  failures: BakeryFailure[];
  models: Partial<Record<ModelMethod, ForecastModel>>;
};

/**
 * The consortium simulation: every (file, store) is a bakery keeping its last H days for
 * evaluation; federated (the real protocol over HTTP, then the app's local adaptation), local
 * (each alone), centralized (pooled) and naive (same weekday last week) are scored on the same
 * held-out days with day-ahead forecasts. All training runs on a pool of worker threads (one
 * per core) while the main thread serves the in-process coordinator and the shops' HTTP; the
 * baselines train while the rounds run. A bakery's failure is reported in its row.
 */
export async function simulate(options: SimulationOptions): Promise<SimulationResult> {
  refuseUnsupported(options);
  const started = performance.now();
  const holdoutDays = options.holdoutDays ?? 28;
  const rounds = options.rounds ?? 5;
  const seed = options.seed ?? 1;
  const criticalRatio = options.criticalRatio ?? 0.7;
  const progress = options.onProgress ?? (() => {});

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

  const days = new Map(trainable.map((b) => [b.id, scoredDays(b.products, b.firstHoldout)]));
  const tallies = new Map<string, BakeryTallies>();
  for (const b of trainable)
    tallies.set(b.id, {
      methods: { ...byMethod(() => null), naive: scoreNaive(days.get(b.id)!) },
      global: null,
      failures: [],
      models: {},
    });
  const score = (id: string, method: ModelMethod, model: ForecastModel) => {
    const t = tallies.get(id)!;
    t.models[method] = model;
    t.methods[method] = scoreModel(model, days.get(id)!, criticalRatio);
  };
  const fail = (id: string, failure: BakeryFailure) => tallies.get(id)!.failures.push(failure);

  const pool = new TrainingPool(options.threads ? { size: options.threads } : {});
  const train = (o: Parameters<TrainingPool['train']>[0]) => pool.train(o);
  let roundLog: RoundOutcome[];
  try {
    // The longest job first: the pooled model, then each bakery alone, then the rounds' jobs.
    const baselines = (async () => {
      const pooled: Sample[] = trainable.flatMap((b) => b.trainingSamples);
      progress({ kind: 'train', method: 'centralized', done: 0, total: 1 });
      const central = pool
        .train({ samples: pooled, ...trainingSettings(pooled.length), seed })
        .then(
          (trained) => {
            for (const b of trainable) score(b.id, 'centralized', trained.weights);
          },
          (error: unknown) => {
            for (const b of trainable)
              fail(b.id, { stage: 'centralized', round: null, message: message(error) });
          },
        )
        .finally(() => progress({ kind: 'train', method: 'centralized', done: 1, total: 1 }));
      let localDone = 0;
      const locals = trainable.map((b) =>
        localWeights(b.trainingSamples, { seed, train })
          .then(
            (weights) => score(b.id, 'local', weights),
            (error: unknown) =>
              fail(b.id, { stage: 'local', round: null, message: message(error) }),
          )
          .finally(() =>
            progress({
              kind: 'train',
              method: 'local',
              done: ++localDone,
              total: trainable.length,
            }),
          ),
      );
      await Promise.all([central, ...locals]);
    })();
    const federation = federate(options, trainable, pool, seed, rounds, progress);
    const [, federated] = await Promise.all([baselines, federation]);
    roundLog = federated.roundLog;
    for (const f of federated.failures)
      fail(f.shop, { ...f, stage: f.round === null ? 'final sync' : 'round' });

    // How a consortium bakery forecasts: the model it holds, then its own nightly trainings.
    let adapted = 0;
    await Promise.all(
      trainable.map(async (b) => {
        try {
          const global = federated.models.get(b.id);
          if (!global) throw new Error('holds no consortium model');
          const t = tallies.get(b.id)!;
          t.global = scoreModel(global, days.get(b.id)!, criticalRatio);
          const mine = await consortiumModel(global, b.trainingSamples, { seed, train });
          score(b.id, 'federated', mine.model);
        } catch (error) {
          fail(b.id, { stage: 'federated', round: null, message: message(error) });
        } finally {
          progress({ kind: 'train', method: 'adapt', done: ++adapted, total: trainable.length });
        }
      }),
    );
  } finally {
    await pool.close();
  }

  const complete = trainable.filter((b) => methods.every((m) => tallies.get(b.id)!.methods[m]));
  const overall = { ...byMethod(() => new Tally()), global: new Tally() };
  for (const b of complete) {
    const t = tallies.get(b.id)!;
    for (const m of methods) overall[m].merge(t.methods[m]!);
    if (t.global) overall.global.merge(t.global);
  }
  if (options.onForecasts)
    options.onForecasts(
      dayForecasts(
        trainable,
        days,
        new Map(trainable.map((b) => [b.id, tallies.get(b.id)!.models])),
      ),
    );
  const shopResults: ShopResult[] = trainable.map((b) => {
    const t = tallies.get(b.id)!;
    const f = byMethod((m) => t.methods[m]?.figures() ?? null);
    return {
      id: b.id,
      trainDays: b.trainDays,
      testDays: new Set(days.get(b.id)!.map((d) => d.date)).size,
      ...split(f),
      failures: t.failures,
    };
  });
  const overallFigures = byMethod((m) => overall[m].figures());
  return {
    shops: shopResults,
    overall: split(overallFigures) as OverallFigures,
    excluded: trainable.filter((b) => !complete.includes(b)).map((b) => b.id),
    rounds: roundLog.filter((r) => r.phase === 'published').length,
    backend: pool.backend ?? 'unknown',
    threads: pool.size,
    roundLog,
    settings: {
      holdoutDays,
      trainDays: options.trainDays ?? null,
      criticalRatio,
      secureAggregation: options.secureAggregation ?? false,
      noiseMultiplier: options.noiseMultiplier ?? 0,
      dropout: options.dropout ?? 0,
      seed,
      round: simulationRoundSettings(options, trainable.length),
    },
    globalOnly: overall.global.figures(),
    seconds: (performance.now() - started) / 1000,
  };
}

function split(f: ByMethod<Figures | null>): MethodFigures {
  return {
    wape: byMethod((m) => f[m]?.wape ?? null),
    waste: byMethod((m) => f[m]?.waste ?? null),
    shortage: byMethod((m) => f[m]?.shortage ?? null),
    coverage: byMethod((m) => f[m]?.coverage ?? null),
    pinball: byMethod((m) => f[m]?.pinball ?? null),
    calibrated: byMethod((m) => f[m]?.calibrated ?? null),
  };
}
