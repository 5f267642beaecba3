import { dayNumber } from '../../federated/calendar/dates.ts';

/** One logged day of one product, as far as stock is concerned. */
export type StockDay = {
  date: string;
  baked: number | null;
  sold: number;
  wasted: number | null;
};

type Lot = { bakedOn: number; units: number };

/**
 * Unsold stock still within shelf life at the start of each logged day, first-in first-out:
 * a unit baked on day b can be sold on days b .. b + shelfLife − 1, and sales and waste take
 * the oldest units first. Days without a row move nothing. A day whose baked count is unknown
 * (a POS import) makes the stock unknown, which counts as none: the allowance only ever
 * comes from counts someone entered. `days` must be sorted by date, one row per date.
 */
export function carriedOverSeries(days: readonly StockDay[], shelfLifeDays: number): number[] {
  if (shelfLifeDays <= 1) return days.map(() => 0);
  let lots: Lot[] = [];
  return days.map((row) => {
    const today = dayNumber(row.date);
    lots = lots.filter((lot) => lot.bakedOn > today - shelfLifeDays);
    const carried = lots.reduce((sum, lot) => sum + lot.units, 0);
    if (row.baked === null) {
      lots = [];
      return carried;
    }
    lots.push({ bakedOn: today, units: row.baked });
    let toTake = row.sold + (row.wasted ?? 0);
    for (const lot of lots) {
      const taken = Math.min(lot.units, toTake);
      lot.units -= taken;
      toTake -= taken;
    }
    lots = lots.filter((lot) => lot.units > 0);
    return carried;
  });
}

/** Stock carried into `date` from the days before it (`previous` sorted, all before `date`). */
export function carriedOverOn(
  date: string,
  shelfLifeDays: number,
  previous: readonly StockDay[],
): number {
  const series = carriedOverSeries(
    [...previous, { date, baked: 0, sold: 0, wasted: 0 }],
    shelfLifeDays,
  );
  return series[series.length - 1] ?? 0;
}

/** How many days before a date can still hold stock that reaches it (lots older are expired, but
 * their sales history decides what is left, so look back twice the shelf life). */
export function lookbackDays(shelfLifeDays: number): number {
  return shelfLifeDays <= 1 ? 0 : 2 * (shelfLifeDays - 1);
}
