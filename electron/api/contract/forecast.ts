import { z } from 'zod';
import { method } from './define.ts';
import { forecastReason, historyTooShort } from './messages/index.ts';

/*
 * Forecast, training and backtest slice. Training progress reaches the UI as backend events
 * `{ type: 'progress', task: 'training', done, total, message }` (done/total in epochs); when a
 * run ends a `{ type: 'data.changed', scope: 'model' }` event follows.
 */

const isoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'expected YYYY-MM-DD');
const count = z.number().int().min(0);
const units = z.number().finite().min(0);

export const quantiles = z.object({
  p10: units,
  p25: units,
  p50: units,
  p75: units,
  p90: units,
});

/** Which model produced a forecast; null fields mean no model has been trained yet. */
export const modelInfo = z.object({
  modelVersion: z.number().int(),
  /** 'local' = trained here; 'global' = the consortium model; 'adapted' = global + local calibration. */
  source: z.enum(['local', 'global', 'adapted']),
  trainedAt: z.string(),
  backend: z.string(),
  featureSpecVersion: z.string(),
});

/** One reason the forecast moved: the direction the UI may style, and the reason to word. */
export const explanation = z.object({
  direction: z.enum(['up', 'down', 'neutral']),
  reason: forecastReason,
});

/** One day of the chart: what happened and, where one was made, the forecast band for it. */
export const pastPoint = z.object({
  date: isoDate,
  sold: count.nullable(),
  soldOut: z.boolean(),
  closed: z.boolean(),
  p10: units.nullable(),
  p50: units.nullable(),
  p90: units.nullable(),
});

export const productForecast = z.object({
  productId: z.number().int(),
  product: z.string(),
  category: z.string(),
  date: isoDate,
  quantiles,
  recommendedBake: count,
  /** Sellable units on hand from earlier bakes (shelf life over a day): the bake comes on top,
   * and the expected leftovers count them. 0 until the day before is logged. */
  carriedOver: count,
  /** (price − cost) / price, or the default 0.7 when either is unknown (see explanation). */
  criticalRatio: z.number().min(0).max(1),
  parLevel: count.nullable(),
  expectedWasteAtRecommended: units,
  expectedShortageAtRecommended: units,
  /** The baker's planned quantity, when given in the input. */
  plannedBake: count.nullable(),
  expectedWasteAtPlanned: units.nullable(),
  explanation: z.array(explanation),
  warning: historyTooShort.nullable(),
  /** The last 28 days, oldest first, for the chart. */
  recent: z.array(pastPoint),
});

/** The weather stored for the forecast day and how the last fetch went (null: not known). */
export const dayWeather = z.object({
  date: isoDate,
  /** Mean temperature (°C) and precipitation (mm) the model was given for the day. */
  temperature: z.number().nullable(),
  rain: z.number().nullable(),
  /** never = no fetch yet; off = turned off; no-location = no place known; failed = the last
   * attempt failed (the day keeps what an earlier fetch brought). */
  state: z.enum(['ok', 'failed', 'off', 'no-location', 'never']),
  provider: z.string().nullable(),
  fetchedAt: z.string().nullable(),
  error: z.enum(['unreachable', 'refused', 'bad-answer']).nullable(),
});

export const tomorrowOutput = z.object({
  date: isoDate,
  /** 'calendar' = tomorrow by the clock; 'requested' = the date asked for. */
  dateSource: z.enum(['calendar', 'requested']),
  lastLoggedDate: isoDate.nullable(),
  /** False when the logs stop before today: the forecast then rolls over the missing days. */
  logsUpToDate: z.boolean(),
  closed: z.boolean(),
  weather: dayWeather,
  model: modelInfo.nullable(),
  products: z.array(productForecast),
});

export const trainingRun = z.object({
  id: z.number().int(),
  startedAt: z.string(),
  finishedAt: z.string().nullable(),
  status: z.enum(['running', 'succeeded', 'failed', 'cancelled']),
  trigger: z.enum(['schedule', 'catch-up', 'manual', 'cli']),
  backend: z.string().nullable(),
  samples: count.nullable(),
  epochs: count.nullable(),
  lossBefore: z.number().nullable(),
  lossAfter: z.number().nullable(),
  error: z.string().nullable(),
});

export const trainingStatus = z.object({
  running: z.boolean(),
  progress: z.object({ done: count, total: count, loss: z.number().nullable() }).nullable(),
  lastRun: trainingRun.nullable(),
  /** Nightly time HH:MM (local clock), default 02:00; next run as an ISO timestamp. */
  schedule: z.object({ time: z.string(), nextRunAt: z.string().nullable() }),
  model: modelInfo.nullable(),
});

export const errorFigures = z.object({
  /** Weighted absolute percentage error of the median: sum |p50 − sold| / sum sold. */
  wape: z.number().nullable(),
  /** Mean of (p50 − sold): positive = the forecast ran high. */
  bias: z.number().nullable(),
  days: count,
});

export const backtestFigures = z.object({
  wape: z.number(),
  waste: units,
  shortage: units,
  /** Units of the unit price at the default critical ratio (what the CLI compares). */
  cost: units,
  /** Waste at unit cost + shortage at lost margin, in the shop's currency, over priced products. */
  money: z.number().nullable(),
  /** Units left over or short of products without price or cost (not in `money`). */
  unpricedUnits: units,
});

export const backtestResult = z.object({
  days: count,
  products: count,
  holdoutDays: count,
  criticalRatio: z.number(),
  model: backtestFigures,
  naive: backtestFigures,
  trainingSeconds: z.number(),
  backend: z.string(),
  /** How the backtest was run, in plain words (trained once before the holdout, features rolled forward). */
  method: z.string(),
});

export const forecastContract = {
  'forecast.tomorrow': method(
    'Tomorrow (or a given date) per active product: quantiles, recommended bake, expected leftovers.',
    z
      .object({
        date: isoDate.optional(),
        planned: z.array(z.object({ productId: z.number().int(), quantity: count })).optional(),
      })
      .strict(),
    tomorrowOutput,
  ),
  'forecast.leftoversAt': method(
    'Expected leftovers and shortage if the baker bakes a given quantity (live as they type).',
    z.object({ productId: z.number().int(), date: isoDate, quantity: count }).strict(),
    z.object({
      productId: z.number().int(),
      date: isoDate,
      quantity: count,
      expectedLeftovers: units,
      expectedShortage: units,
      /** Probability that this quantity sells out. */
      sellOutProbability: z.number().min(0).max(1),
    }),
  ),
  'forecast.accuracy': method(
    'Recent error of stored forecasts against what was then sold, per product and overall.',
    z.object({ days: z.number().int().min(1).max(365).optional() }).strict(),
    z.object({
      days: count,
      overall: errorFigures,
      products: z.array(errorFigures.extend({ productId: z.number().int(), product: z.string() })),
    }),
  ),
  'forecast.backtest': method(
    'Day-ahead backtest over the last N days: the model against same-weekday-last-week.',
    z.object({ holdoutDays: z.number().int().min(7).max(365).optional() }).strict(),
    backtestResult,
  ),
  'training.status': method(
    'Whether a training run is going, the last run, the schedule and the active model.',
    z.object({}).strict(),
    trainingStatus,
  ),
  'training.start': method(
    'Start a training run now in the background (refused with conflict while one runs).',
    z.object({}).strict(),
    z.object({ runId: z.number().int() }),
  ),
  'training.cancel': method(
    'Cancel the running training; the active model stays as it was.',
    z.object({}).strict(),
    z.object({ cancelled: z.boolean() }),
  ),
  'training.setSchedule': method(
    'Set the nightly training time (HH:MM, local clock).',
    z.object({ time: z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'expected HH:MM') }).strict(),
    z.object({ time: z.string(), nextRunAt: z.string().nullable() }),
  ),
};
