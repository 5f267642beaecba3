/** The shared product taxonomy: the order is part of the feature spec. */
export const categories = ['bread', 'rolls', 'pastry', 'cake', 'snack', 'other'] as const;
export type Category = (typeof categories)[number];

/**
 * One calendar day of one product as a bakery knows it. `sold` is null when nothing was logged
 * (a future day, or a gap); context fields (closed, holiday, weather) may be known ahead.
 */
export type HistoryDay = {
  date: string;
  sold: number | null;
  closed: boolean;
  /** Sold out before closing: true demand was at least `sold` (censored). */
  soldOut: boolean;
  holiday: boolean;
  temperature: number | null;
  rain: number | null;
};

/** A product's daily history: data in, no database access here. Days sorted by date, no duplicates. */
export type ProductHistory = {
  category: Category;
  shelfLifeDays: number;
  days: HistoryDay[];
};
