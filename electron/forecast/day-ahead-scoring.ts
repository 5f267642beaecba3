import { addDays } from '../../federated/calendar/dates.ts';
import { featureRow } from '../../federated/features/extract.ts';
import { newsvendorQuantity } from '../../federated/decisions/newsvendor.ts';
import { scaleQuantiles, type Quantiles } from '../../federated/decisions/quantile-function.ts';
import { BandTally, meanPinball, type Coverage } from '../../federated/decisions/band-scoring.ts';
import {
  bandShift,
  shiftBand,
  type BandShift,
  type CalibrationPoint,
} from '../../federated/decisions/band-calibration.ts';
import { predictModel, type ForecastModel } from './forecast-model.ts';
import type { ProductSeries } from './csv-histories.ts';

/**
 * A method's figures over scored days. `coverage`: shares of days whose sales fell below the
 * forecast p10 and p90 (null for a method without a band); `pinball`: mean pinball loss over the
 * five quantiles per unit sold (a point forecast counts as a band of zero width), so it is
 * scale-free like WAPE — the median's term alone would be WAPE / 2.
 */
export type Figures = {
  wape: number;
  waste: number;
  shortage: number;
  coverage: Coverage | null;
  pinball: number;
  /** The same after the band is calibrated on the days before (see `calibratedBands`). */
  calibrated: { coverage: Coverage | null; pinball: number } | null;
};

/** What one method forecast for one scored day: the median, its band (if any), the bake. */
export type DayDecision = {
  forecast: number;
  bake: number;
  quantiles?: Quantiles;
  /** The band after calibration on earlier days, when the method calibrates. */
  calibrated?: Quantiles;
};

/** A scored day of one product: sold, and the day it is. */
export type ScoredDay = {
  product: ProductSeries;
  date: string;
  sold: number;
  row: number[];
  level: number;
  naive: number;
};

type Prices = { unitPrice: number | null; unitCost: number | null };

export class Tally {
  absErr = 0;
  sold = 0;
  waste = 0;
  shortage = 0;
  pinball = 0;
  readonly band = new BandTally();
  calibratedPinball = 0;
  readonly calibratedBand = new BandTally();
  /** Waste at unit cost plus shortage at lost margin, over products with price and cost. */
  money: number | null = null;
  /** Units left over or short of products without price or cost (not in `money`). */
  unpricedUnits = 0;

  add(decision: DayDecision, sold: number, product?: Prices): void {
    const waste = Math.max(decision.bake - sold, 0);
    const shortage = Math.max(sold - decision.bake, 0);
    this.absErr += Math.abs(decision.forecast - sold);
    this.sold += sold;
    this.waste += waste;
    this.shortage += shortage;
    if (product?.unitPrice != null && product.unitCost != null)
      this.money =
        (this.money ?? 0) +
        waste * product.unitCost +
        shortage * (product.unitPrice - product.unitCost);
    else this.unpricedUnits += waste + shortage;
    const q = decision.quantiles;
    this.pinball += meanPinball(q ? [q.p10, q.p25, q.p50, q.p75, q.p90] : decision.forecast, sold);
    if (q) this.band.add(q.p10, q.p90, sold);
    const c = decision.calibrated;
    if (c) {
      this.calibratedPinball += meanPinball([c.p10, c.p25, c.p50, c.p75, c.p90], sold);
      this.calibratedBand.add(c.p10, c.p90, sold);
    }
  }

  merge(other: Tally): void {
    this.absErr += other.absErr;
    this.sold += other.sold;
    this.waste += other.waste;
    this.shortage += other.shortage;
    this.pinball += other.pinball;
    this.band.merge(other.band);
    this.calibratedPinball += other.calibratedPinball;
    this.calibratedBand.merge(other.calibratedBand);
    if (other.money !== null) this.money = (this.money ?? 0) + other.money;
    this.unpricedUnits += other.unpricedUnits;
  }

  figures(): Figures {
    return {
      wape: this.sold > 0 ? this.absErr / this.sold : 0,
      waste: this.waste,
      shortage: this.shortage,
      coverage: this.band.coverage(),
      pinball: this.sold > 0 ? this.pinball / this.sold : 0,
      calibrated:
        this.calibratedBand.days > 0
          ? {
              coverage: this.calibratedBand.coverage(),
              pinball: this.sold > 0 ? this.calibratedPinball / this.sold : 0,
            }
          : null,
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

/** A model's day-ahead quantiles for the scored days, in units. */
export function dayQuantiles(model: ForecastModel, days: ScoredDay[]): Quantiles[] {
  if (days.length === 0) return [];
  const predicted = predictModel(
    model,
    days.map((d) => d.row),
  );
  return days.map((day, i) => scaleQuantiles(predicted[i]!, day.level));
}

/**
 * Each day's band shifted (conformally, see `bandShift`) by how the same forecasts fared on the
 * days before it: only days whose sales were known the evening before count, as the app knows
 * its stored forecasts and the sales logged since.
 */
export function calibratedBands(
  quantiles: Quantiles[],
  days: readonly Pick<ScoredDay, 'date' | 'sold' | 'level'>[],
): Quantiles[] {
  const points: CalibrationPoint[] = days.map((d, i) => ({
    date: d.date,
    p10: quantiles[i]!.p10,
    p90: quantiles[i]!.p90,
    sold: d.sold,
    level: d.level,
  }));
  const shifts = new Map<string, BandShift>();
  return days.map((day, i) => {
    let shift = shifts.get(day.date);
    if (!shift) {
      // bandShift keeps only the days of its window before this one.
      shift = bandShift(points, day.date);
      shifts.set(day.date, shift);
    }
    return shiftBand(quantiles[i]!, shift, day.level);
  });
}

/**
 * Tally of a model's day-ahead forecasts: median for WAPE, the critical-ratio quantile as the
 * bake, the band as forecast and as calibrated on the days before.
 */
export function scoreModel(
  model: ForecastModel,
  days: ScoredDay[],
  rule: number | BakeRule,
): Tally {
  return scoreQuantiles(dayQuantiles(model, days), days, rule);
}

/** The same tally for day-ahead quantiles already forecast (one per scored day, in order). */
export function scoreQuantiles(
  quantiles: Quantiles[],
  days: ScoredDay[],
  rule: number | BakeRule,
): Tally {
  const tally = new Tally();
  const calibrated = calibratedBands(quantiles, days);
  days.forEach((day, i) => {
    const q = quantiles[i]!;
    const { ratio, par } = typeof rule === 'number' ? { ratio: rule, par: null } : rule(day);
    const bake = newsvendorQuantity(q, ratio, par);
    tally.add(
      { forecast: q.p50, bake, quantiles: q, calibrated: calibrated[i]! },
      day.sold,
      day.product,
    );
  });
  return tally;
}

/** Naive bakes (and forecasts) last week's same-weekday sales. */
export function scoreNaive(days: ScoredDay[]): Tally {
  const tally = new Tally();
  for (const day of days)
    tally.add({ forecast: day.naive, bake: day.naive }, day.sold, day.product);
  return tally;
}
