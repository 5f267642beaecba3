import { addDays } from '../../federated/calendar/dates.ts';
import { featureRow } from '../../federated/features/extract.ts';
import { newsvendorQuantity } from '../../federated/decisions/newsvendor.ts';
import { scaleQuantiles } from '../../federated/decisions/quantile-function.ts';
import { predictQuantiles } from '../../federated/model/train.ts';
import type { ProductSeries } from './csv-histories.ts';

export type Figures = { wape: number; waste: number; shortage: number };

/** What one method forecast for one scored day: the median and the quantity it bakes. */
export type DayDecision = { forecast: number; bake: number };

/** A scored day of one product: sold, and the day it is. */
export type ScoredDay = {
  product: ProductSeries;
  date: string;
  sold: number;
  row: number[];
  level: number;
  naive: number;
};

export class Tally {
  absErr = 0;
  sold = 0;
  waste = 0;
  shortage = 0;

  add(decision: DayDecision, sold: number): void {
    this.absErr += Math.abs(decision.forecast - sold);
    this.sold += sold;
    this.waste += Math.max(decision.bake - sold, 0);
    this.shortage += Math.max(sold - decision.bake, 0);
  }

  merge(other: Tally): void {
    this.absErr += other.absErr;
    this.sold += other.sold;
    this.waste += other.waste;
    this.shortage += other.shortage;
  }

  figures(): Figures {
    return {
      wape: this.sold > 0 ? this.absErr / this.sold : 0,
      waste: this.waste,
      shortage: this.shortage,
    };
  }
}

/** Same weekday last week (or the week before, if the shop was closed then): the naive bake. */
export function naiveSales(byDate: Map<string, number>, date: string): number | undefined {
  for (const back of [7, 14, 21]) {
    const sold = byDate.get(addDays(date, -back));
    if (sold !== undefined) return sold;
  }
  return undefined;
}

/**
 * The held-out days every method is scored on: open, logged days from `firstHoldout` on for
 * which a day-ahead feature row and a naive forecast both exist (so all methods see the same
 * days). Features use only what was known the day before.
 */
export function scoredDays(products: ProductSeries[], firstHoldout: string): ScoredDay[] {
  const days: ScoredDay[] = [];
  for (const product of products) {
    const byDate = new Map<string, number>();
    for (const d of product.history.days)
      if (d.sold !== null && !d.closed) byDate.set(d.date, d.sold);
    for (const d of product.history.days) {
      if (d.date < firstHoldout || d.sold === null || d.closed) continue;
      const row = featureRow(product.history, d.date);
      const naive = naiveSales(byDate, d.date);
      if (row === null || naive === undefined) continue;
      days.push({ product, date: d.date, sold: d.sold, row: row.x, level: row.level, naive });
    }
  }
  return days;
}

/** How a day's bake is decided: the demand quantile at `ratio`, never below `par`. */
export type BakeRule = (day: ScoredDay) => { ratio: number; par: number | null };

/** Tally of a model's day-ahead forecasts: median for WAPE, the critical-ratio quantile as the bake. */
export function scoreModel(
  weights: Float32Array,
  days: ScoredDay[],
  rule: number | BakeRule,
): Tally {
  const tally = new Tally();
  if (days.length === 0) return tally;
  const predicted = predictQuantiles(
    weights,
    days.map((d) => d.row),
  );
  days.forEach((day, i) => {
    const q = scaleQuantiles(predicted[i]!, day.level);
    const { ratio, par } = typeof rule === 'number' ? { ratio: rule, par: null } : rule(day);
    tally.add({ forecast: q.p50, bake: newsvendorQuantity(q, ratio, par) }, day.sold);
  });
  return tally;
}

/** Naive bakes (and forecasts) last week's same-weekday sales. */
export function scoreNaive(days: ScoredDay[]): Tally {
  const tally = new Tally();
  for (const day of days) tally.add({ forecast: day.naive, bake: day.naive }, day.sold);
  return tally;
}
