import { addDays } from '../../federated/calendar/dates.ts';
import { carriedOverFor } from '../logs/daily.ts';
import type { Db } from '../store/database.ts';

/**
 * Sellable units of a product already on hand on `date`, carried over from earlier bakes still
 * within shelf life. Counted only once the day before is logged (or was a closed day): until
 * the evening's counts are in, yesterday's stock may have sold, and subtracting it would leave
 * the shelf short.
 */
export function sellableStock(db: Db, productId: number, date: string, shelfLifeDays: number) {
  if (shelfLifeDays <= 1) return 0;
  const before = addDays(date, -1);
  const known =
    db
      .prepare('SELECT 1 FROM daily_logs WHERE product_id = ? AND date = ?')
      .get(productId, before) !== undefined ||
    db.prepare('SELECT 1 FROM day_context WHERE date = ? AND closed = 1').get(before) !== undefined;
  return known ? carriedOverFor(db, productId, date, shelfLifeDays) : 0;
}
