import { addDays } from '../../federated/calendar/dates.ts';
import {
  bandShift,
  calibrationWindowDays,
  shiftBand,
  type BandShift,
  type CalibrationPoint,
} from '../../federated/decisions/band-calibration.ts';
import type { Quantiles } from '../../federated/decisions/quantile-function.ts';
import type { Db } from '../store/database.ts';

/**
 * The bakery's own recent forecasts whose sales are logged, for calibrating the band of `date`:
 * the model's band edges (not the calibrated ones shown, which would feed back on themselves)
 * of the `calibrationWindowDays` before it, on open days — the day-ahead forecasts the app
 * actually made, as `breadcast simulate` and `backtest` calibrate on the held-out days' forecasts.
 */
export function calibrationPoints(db: Db, date: string): CalibrationPoint[] {
  return db
    .prepare(
      `SELECT f.date AS date, f.model_p10 AS p10, f.model_p90 AS p90, l.sold AS sold, f.level AS level
       FROM forecasts f
       JOIN daily_logs l ON l.date = f.date AND l.product_id = f.product_id
       LEFT JOIN day_context c ON c.date = f.date
       WHERE f.date BETWEEN ? AND ? AND f.model_p10 IS NOT NULL AND f.model_p90 IS NOT NULL
         AND f.level > 0 AND COALESCE(c.closed, 0) = 0`,
    )
    .all(addDays(date, -calibrationWindowDays), addDays(date, -1)) as CalibrationPoint[];
}

/** How far to move `date`'s band (no shift while fewer than 30 product-days are known). */
export function recentBandShift(db: Db, date: string): BandShift {
  return bandShift(calibrationPoints(db, date), date);
}

/** A forecast's band as the model gives it and as the bakery is shown it. */
export type CalibratedQuantiles = { model: Quantiles; shown: Quantiles; level: number };

export function calibrate(model: Quantiles, shift: BandShift, level: number): CalibratedQuantiles {
  return { model, shown: shiftBand(model, shift, level), level };
}
