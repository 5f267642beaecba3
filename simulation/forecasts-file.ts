import { writeFileSync } from 'node:fs';
import { stringify } from 'csv-stringify/sync';
import { dayQuantiles, type ScoredDay } from '../electron/forecast/day-ahead-scoring.ts';
import type { ForecastModel } from '../electron/forecast/forecast-model.ts';
import type { SimBakery } from './bakeries.ts';

export const modelMethods = ['federated', 'local', 'centralized'] as const;
export type ModelMethod = (typeof modelMethods)[number];

/** One held-out day of one product with what each method forecast (units). */
export type DayForecast = {
  bakery: string;
  product: string;
  date: string;
  sold: number;
  naive: number;
  /** The product's recent level the model's scale-free forecast was multiplied by. */
  level: number;
  /** p10, p25, p50, p75, p90 per model method that was scored for this bakery. */
  quantiles: Partial<Record<ModelMethod, number[]>>;
};

/** Every scored day of the bakeries with each method's forecast from the model it used. */
export function dayForecasts(
  bakeries: SimBakery[],
  days: Map<string, ScoredDay[]>,
  models: Map<string, Partial<Record<ModelMethod, ForecastModel>>>,
): DayForecast[] {
  const out: DayForecast[] = [];
  for (const b of bakeries) {
    const scored = days.get(b.id) ?? [];
    const predicted = Object.entries(models.get(b.id) ?? {}).map(
      ([method, model]) => [method as ModelMethod, dayQuantiles(model, scored)] as const,
    );
    scored.forEach((d, i) => {
      const quantiles: DayForecast['quantiles'] = {};
      for (const [method, q] of predicted) {
        const x = q[i]!;
        quantiles[method] = [x.p10, x.p25, x.p50, x.p75, x.p90];
      }
      out.push({
        bakery: b.id,
        product: d.product.name,
        date: d.date,
        sold: d.sold,
        naive: d.naive,
        level: d.level,
        quantiles,
      });
    });
  }
  return out;
}

/**
 * The scored days as CSV, one row per (bakery, product, day): the exact test days of a run, so
 * a reference method (simulation/reference/gbdt_reference.py) is scored on the same days.
 */
export function writeForecasts(path: string, forecasts: DayForecast[]): void {
  const levels = ['p10', 'p25', 'p50', 'p75', 'p90'];
  const header = [
    'bakery',
    'product',
    'date',
    'sold',
    'naive',
    'level',
    ...modelMethods.flatMap((m) => levels.map((l) => `${m}_${l}`)),
  ];
  const rows = forecasts.map((f) => [
    f.bakery,
    f.product,
    f.date,
    f.sold,
    f.naive,
    f.level.toFixed(4),
    ...modelMethods.flatMap(
      (m) => f.quantiles[m]?.map((v) => v.toFixed(3)) ?? levels.map(() => ''),
    ),
  ]);
  writeFileSync(path, stringify([header, ...rows]));
}
