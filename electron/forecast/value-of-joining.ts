import { addDays, weekdayIndex } from '../../federated/calendar/dates.ts';
import { extractSamples } from '../../federated/features/extract.ts';
import { minimumSampleHistory } from '../../federated/features/spec.ts';
import { criticalRatio } from '../../federated/decisions/newsvendor.ts';
import { initTrainer } from '../../federated/model/train.ts';
import { parameterCount } from '../../federated/model/shape.ts';
import type { ValueFigures, ValueOfJoining } from '../api/contract/value.ts';
import { ApiError, type Handlers } from '../api/dispatcher.ts';
import type { BackendContext } from '../backend/context.ts';
import type { Db } from '../store/database.ts';
import { loadGlobalModel } from '../sync/global-models.ts';
import { loadSyncState } from '../sync/state.ts';
import { consortiumModel, localWeights } from './consortium-model.ts';
import type { ForecastModel } from './forecast-model.ts';
import type { ProductSeries } from './csv-histories.ts';
import { scoredDays, scoreModel, type BakeRule, type ScoredDay } from './day-ahead-scoring.ts';
import { loadHistories } from './histories.ts';

/** The bake the app would recommend: the product's own critical ratio, never below its par level. */
const appBakeRule: BakeRule = (day) => ({
  ratio: criticalRatio(day.product.unitPrice, day.product.unitCost).ratio,
  par: day.product.parLevels?.[weekdayIndex(day.date)] ?? null,
});

function figuresOf(
  model: ForecastModel,
  days: ScoredDay[],
  products: ProductSeries[],
): ValueFigures {
  let absErr = 0;
  let sold = 0;
  let waste = 0;
  let shortage = 0;
  let wasteCost: number | null = null;
  let lostMargin: number | null = null;
  for (const product of products) {
    const mine = days.filter((d) => d.product === product);
    if (mine.length === 0) continue;
    const tally = scoreModel(model, mine, appBakeRule);
    absErr += tally.absErr;
    sold += tally.sold;
    waste += tally.waste;
    shortage += tally.shortage;
    const { unitPrice: price, unitCost: cost } = product;
    if (cost !== null) wasteCost = (wasteCost ?? 0) + tally.waste * cost;
    if (price !== null && cost !== null && price > cost)
      lostMargin = (lostMargin ?? 0) + tally.shortage * (price - cost);
  }
  return { wape: sold > 0 ? absErr / sold : 0, waste, shortage, wasteCost, lostMargin };
}

const money = (f: ValueFigures) =>
  f.wasteCost === null && f.lostMargin === null ? null : (f.wasteCost ?? 0) + (f.lostMargin ?? 0);

/**
 * The bakery's own comparison: over its last `days` days, the model it would train alone
 * against the consortium model it holds (adapted on its own days, as its nightly training
 * does), both trained only on the days before, forecasting each day from the evening before.
 */
export async function compareWithConsortium(
  db: Db,
  global: { version: number; weights: Float32Array },
  options: { days: number; onProgress?: (done: number, total: number) => Promise<void> | void },
): Promise<ValueOfJoining> {
  const started = performance.now();
  const backend = await initTrainer();
  const products = loadHistories(db);
  const last = products
    .map((p) => p.history.days.findLast((d) => d.sold !== null && !d.closed)?.date ?? '')
    .reduce((a, b) => (a > b ? a : b), '');
  if (!last) throw new ApiError('unavailable', { code: 'refusal.nothingToCompare', params: {} });
  const from = addDays(last, -options.days + 1);
  const samples = products.flatMap((p) => extractSamples(p.history, { to: addDays(from, -1) }));
  if (samples.length === 0)
    throw new ApiError('unavailable', {
      code: 'refusal.tooLittleHistoryToCompare',
      params: { from, minimumDays: minimumSampleHistory },
    });
  const days = scoredDays(products, from);
  if (days.length === 0)
    throw new ApiError('unavailable', { code: 'refusal.noDaysToCompare', params: { from } });

  // The bakery alone, then the consortium model's trainings; each epoch yields to the event loop.
  const total = 2;
  const step = async () => {
    await new Promise((resolve) => setImmediate(resolve));
  };
  const local = await localWeights(samples, { onProgress: step });
  await options.onProgress?.(1, total);
  const consortium = await consortiumModel(global.weights, samples, { onProgress: step });
  await options.onProgress?.(2, total);

  const scoredProducts = products.filter((p) => days.some((d) => d.product === p));
  const localFigures = figuresOf(local, days, scoredProducts);
  const consortiumFigures = figuresOf(consortium.model, days, scoredProducts);
  const localMoney = money(localFigures);
  const consortiumMoney = money(consortiumFigures);
  return {
    from,
    to: last,
    days: new Set(days.map((d) => d.date)).size,
    products: scoredProducts.length,
    globalVersion: global.version,
    adapted: consortium.adapted,
    local: localFigures,
    consortium: consortiumFigures,
    saved: {
      waste: localFigures.waste - consortiumFigures.waste,
      shortage: localFigures.shortage - consortiumFigures.shortage,
      money:
        localMoney === null || consortiumMoney === null
          ? null
          : Math.round((localMoney - consortiumMoney) * 100) / 100,
    },
    unpricedProducts: scoredProducts
      .filter((p) => p.unitPrice === null || p.unitCost === null)
      .map((p) => p.name),
    backend,
    seconds: Math.round((performance.now() - started) / 100) / 10,
  };
}

/** The global model this bakery's sync client downloaded last, or a refusal in plain words. */
export function heldConsortiumModel(db: Db): { version: number; weights: Float32Array } {
  const state = loadSyncState(db);
  if (!state) throw new ApiError('unavailable', { code: 'refusal.notEnrolled', params: {} });
  const version = state.modelVersion;
  const weights = version === null ? null : loadGlobalModel(db, version);
  if (version === null || !weights)
    throw new ApiError('unavailable', { code: 'refusal.noConsortiumModel', params: {} });
  if (weights.length !== parameterCount())
    throw new ApiError('unavailable', { code: 'refusal.consortiumModelOutdated', params: {} });
  return { version, weights };
}

/** The value slice of the API (wired in backend.ts). */
export function valueHandlers(context: BackendContext): Pick<Handlers, 'value.compare'> {
  let running = false;
  return {
    'value.compare': async (input) => {
      if (running)
        throw new ApiError('conflict', { code: 'refusal.comparisonRunning', params: {} });
      running = true;
      try {
        const global = heldConsortiumModel(context.db);
        return await compareWithConsortium(context.db, global, {
          days: input.days ?? 28,
          onProgress: (done, total) =>
            context.events.emit({ type: 'progress', task: 'value', done, total }),
        });
      } finally {
        running = false;
      }
    },
  };
}
