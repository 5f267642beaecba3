import { addDays, dayNumber, weekdayIndex } from '../../federated/calendar/dates.ts';
import { extractSamples, type Sample } from '../../federated/features/extract.ts';
import { decisionCost, defaultCriticalRatio } from '../../federated/decisions/newsvendor.ts';
import type { Coverage } from '../../federated/decisions/band-scoring.ts';
import { initTrainer, trainLocal } from '../../federated/model/train.ts';
import type { ProductSeries } from './csv-histories.ts';
import { scoredDays, scoreModel, scoreNaive, type Tally } from './day-ahead-scoring.ts';
import { trainingSettings } from './training-settings.ts';

export type BacktestFigures = {
  wape: number;
  waste: number;
  shortage: number;
  /** Units of the unit price at the default critical ratio (the figure the CLI compares). */
  cost: number;
  /** Waste at unit cost plus shortage at lost margin, over products with price and cost. */
  money: number | null;
  /** Units left over or short of products without price or cost (not in `money`). */
  unpricedUnits: number;
  /** Shares of days below the p10 and the p90 forecast; null for naive, which has no band. */
  coverage: Coverage | null;
  /** Mean pinball loss over the five quantiles per unit sold (naive: its one number). */
  pinball: number;
  /** Coverage and pinball after the band is calibrated on the held-out days before each day. */
  calibrated: { coverage: Coverage | null; pinball: number } | null;
};

export type BacktestResult = {
  days: number;
  products: number;
  holdoutDays: number;
  criticalRatio: number;
  model: BacktestFigures;
  naive: BacktestFigures;
  trainingSeconds: number;
  backend: string;
  method: string;
};

export const backtestMethod =
  'Trained once on the days before the holdout (retraining every day is too slow); each ' +
  'holdout day is then forecast from features rolled forward with the sales known the day ' +
  'before. Naive bakes what sold on the same weekday last week. Cost = waste × unit cost + ' +
  'shortage × lost margin at the default critical ratio 0.7, in units of the unit price.';

function figures(t: Tally, ratio: number): BacktestFigures {
  const f = t.figures();
  return {
    ...f,
    cost: decisionCost(f.waste, f.shortage, ratio),
    money: t.money === null ? null : Math.round(t.money * 100) / 100,
    unpricedUnits: t.unpricedUnits,
  };
}

/**
 * Day-ahead backtest over the last `holdoutDays` calendar days of the bakery's logs: the model
 * (trained once before the holdout) against seasonal naive, on the same open days.
 */
export async function backtest(
  products: ProductSeries[],
  options: {
    holdoutDays: number;
    seed?: number;
    onProgress?: (epoch: number, epochs: number) => void;
    /** Override production training settings (experiments). */
    settings?: Partial<ReturnType<typeof trainingSettings>>;
  },
): Promise<BacktestResult> {
  const backend = await initTrainer();
  const lastDate = products
    .map((p) => p.history.days.findLast((d) => d.sold !== null && !d.closed)?.date ?? '')
    .reduce((a, b) => (a > b ? a : b), '');
  if (!lastDate) throw new Error('no logged sales to backtest');
  const firstHoldout = addDays(lastDate, -options.holdoutDays + 1);
  const dayBefore = addDays(firstHoldout, -1);

  const samples: Sample[] = products.flatMap((p) => extractSamples(p.history, { to: dayBefore }));
  const settings = { ...trainingSettings(samples.length), ...options.settings };
  const started = performance.now();
  const trained = await trainLocal({
    samples,
    ...settings,
    seed: options.seed ?? 1,
    onProgress: ({ epoch, epochs }) => options.onProgress?.(epoch, epochs),
  });
  const trainingSeconds = (performance.now() - started) / 1000;

  const ratio = defaultCriticalRatio;
  const days = scoredDays(products, firstHoldout);
  const model = scoreModel(trained.weights, days, (day) => ({
    ratio,
    par: day.product.parLevels?.[weekdayIndex(dayNumber(day.date))] ?? null,
  }));
  const naive = scoreNaive(days);
  return {
    days: new Set(days.map((d) => d.date)).size,
    products: new Set(days.map((d) => d.product)).size,
    holdoutDays: options.holdoutDays,
    criticalRatio: ratio,
    model: figures(model, ratio),
    naive: figures(naive, ratio),
    trainingSeconds,
    backend,
    method: backtestMethod,
  };
}
