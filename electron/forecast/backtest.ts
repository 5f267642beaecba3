import { addDays, dayNumber } from '../../federated/calendar/dates.ts';
import { extractSamples, featureRow, type Sample } from '../../federated/features/extract.ts';
import {
  decisionCost,
  defaultCriticalRatio,
  newsvendorQuantity,
} from '../../federated/decisions/newsvendor.ts';
import { scaleQuantiles } from '../../federated/decisions/quantile-function.ts';
import { initTrainer, predictQuantiles, trainLocal } from '../../federated/model/train.ts';
import type { ProductSeries } from './csv-histories.ts';
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

type Tally = {
  absErr: number;
  sold: number;
  waste: number;
  shortage: number;
  money: number | null;
  unpricedUnits: number;
};
const tally = (): Tally => ({
  absErr: 0,
  sold: 0,
  waste: 0,
  shortage: 0,
  money: null,
  unpricedUnits: 0,
});

function add(t: Tally, p: ProductSeries, forecast: number, bake: number, sold: number) {
  const waste = Math.max(bake - sold, 0);
  const shortage = Math.max(sold - bake, 0);
  t.absErr += Math.abs(forecast - sold);
  t.sold += sold;
  t.waste += waste;
  t.shortage += shortage;
  if (p.unitPrice !== null && p.unitCost !== null)
    t.money = (t.money ?? 0) + waste * p.unitCost + shortage * (p.unitPrice - p.unitCost);
  else t.unpricedUnits += waste + shortage;
}

function figures(t: Tally, ratio: number): BacktestFigures {
  return {
    wape: t.sold > 0 ? t.absErr / t.sold : 0,
    waste: t.waste,
    shortage: t.shortage,
    cost: decisionCost(t.waste, t.shortage, ratio),
    money: t.money === null ? null : Math.round(t.money * 100) / 100,
    unpricedUnits: t.unpricedUnits,
  };
}

/** Same weekday last week (or the week before, if the shop was closed then). */
function naiveBake(series: ProductSeries, byDate: Map<string, number>, date: string) {
  for (const back of [7, 14, 21]) {
    const v = byDate.get(addDays(date, -back));
    if (v !== undefined) return v;
  }
  void series;
  return undefined;
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
  const model = tally();
  const naive = tally();
  const scoredDays = new Set<string>();
  let scoredProducts = 0;
  for (const p of products) {
    const byDate = new Map<string, number>();
    for (const d of p.history.days) if (d.sold !== null && !d.closed) byDate.set(d.date, d.sold);
    const targets = p.history.days.filter(
      (d) => d.date >= firstHoldout && d.date <= lastDate && d.sold !== null && !d.closed,
    );
    const rows = targets.map((d) => ({ day: d, row: featureRow(p.history, d.date) }));
    const usable = rows.filter(
      (r) => r.row !== null && naiveBake(p, byDate, r.day.date) !== undefined,
    );
    if (usable.length === 0) continue;
    scoredProducts++;
    const predicted = predictQuantiles(
      trained.weights,
      usable.map((r) => r.row!.x),
    );
    usable.forEach((r, i) => {
      const sold = r.day.sold!;
      const q = scaleQuantiles(predicted[i]!, r.row!.level);
      const weekday = (dayNumber(r.day.date) + 3) % 7;
      const par = p.parLevels?.[weekday] ?? null;
      add(model, p, q.p50, newsvendorQuantity(q, ratio, par), sold);
      const n = naiveBake(p, byDate, r.day.date)!;
      add(naive, p, n, n, sold);
      scoredDays.add(r.day.date);
    });
  }
  return {
    days: scoredDays.size,
    products: scoredProducts,
    holdoutDays: options.holdoutDays,
    criticalRatio: ratio,
    model: figures(model, ratio),
    naive: figures(naive, ratio),
    trainingSeconds,
    backend,
    method: backtestMethod,
  };
}
