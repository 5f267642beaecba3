const dayMs = 86_400_000;

/** Days since 1970-01-01 for a YYYY-MM-DD date (UTC, so no time-zone or DST drift). */
export function dayNumber(date: string): number {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  return Math.round(Date.UTC(y, m - 1, d) / dayMs);
}

export function dateOf(dayNum: number): string {
  return new Date(dayNum * dayMs).toISOString().slice(0, 10);
}

export function addDays(date: string, days: number): string {
  return dateOf(dayNumber(date) + days);
}

/** 0 = Monday … 6 = Sunday (the par-levels order). */
export function weekdayIndex(dayNum: number): number {
  return (((dayNum + 3) % 7) + 7) % 7;
}

/** Fraction of the year (0..1) for the season features. */
export function yearFraction(dayNum: number): number {
  const date = new Date(dayNum * dayMs);
  const start = Date.UTC(date.getUTCFullYear(), 0, 1);
  return (dayNum * dayMs - start) / (365.25 * dayMs);
}
