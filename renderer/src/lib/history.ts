/** Per-day totals across products, for the History charts when no single product is chosen. */
export type SeriesPoint = {
  date: string;
  sold: number;
  wasted: number | null;
  wasteRate: number | null;
};

export function totalsByDate(series: { points: SeriesPoint[] }[]): SeriesPoint[] {
  const byDate = new Map<
    string,
    { sold: number; wasted: number; wasteKnownSold: number; anyWaste: boolean }
  >();
  for (const { points } of series) {
    for (const point of points) {
      const day = byDate.get(point.date) ?? {
        sold: 0,
        wasted: 0,
        wasteKnownSold: 0,
        anyWaste: false,
      };
      day.sold += point.sold;
      if (point.wasted != null) {
        day.wasted += point.wasted;
        // The rate counts only products whose waste is known, so POS-only rows do not dilute it.
        day.wasteKnownSold += point.sold;
        day.anyWaste = true;
      }
      byDate.set(point.date, day);
    }
  }
  return [...byDate.entries()]
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([date, day]) => {
      const moved = day.wasteKnownSold + day.wasted;
      return {
        date,
        sold: day.sold,
        wasted: day.anyWaste ? day.wasted : null,
        wasteRate: day.anyWaste && moved > 0 ? day.wasted / moved : null,
      };
    });
}

/** Rows grouped by date, newest day first, for the per-day table. */
export function groupByDate<T extends { date: string }>(rows: T[]): { date: string; rows: T[] }[] {
  const groups = new Map<string, T[]>();
  for (const row of rows) {
    const list = groups.get(row.date) ?? [];
    list.push(row);
    groups.set(row.date, list);
  }
  return [...groups.entries()]
    .sort(([a], [b]) => (a < b ? 1 : -1))
    .map(([date, list]) => ({ date, rows: list }));
}

/**
 * Sold, wasted and waste rate over rows, counting waste only where it is known: a day imported
 * from a till (waste unknown) neither counts as zero waste nor dilutes the rate. The summary and
 * each product's line use this same sum, so the summary is exactly the products' total.
 */
export function wasteSummary(rows: { sold: number; wasted: number | null }[]): {
  sold: number;
  wasted: number | null;
  rate: number | null;
} {
  let sold = 0;
  let wasted = 0;
  let knownMoves = 0;
  let known = false;
  for (const row of rows) {
    sold += row.sold;
    if (row.wasted === null) continue;
    known = true;
    wasted += row.wasted;
    knownMoves += row.sold + row.wasted;
  }
  return {
    sold,
    wasted: known ? wasted : null,
    rate: knownMoves > 0 ? wasted / knownMoves : null,
  };
}
