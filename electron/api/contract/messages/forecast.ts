import { z } from 'zod';
import { count, ratio, says, units, weekday } from './define.ts';

/** Why a forecast moved: each effect is the share the median moves (+0.16 = 16 % more). */
export const forecastReason = z.discriminatedUnion('code', [
  says('forecast.weekday', { weekday, effect: ratio }),
  says('forecast.holiday', { effect: ratio }),
  says('forecast.holidaySoon', { effect: ratio }),
  says('forecast.weatherWarm', { effect: ratio }),
  says('forecast.weatherCold', { effect: ratio }),
  says('forecast.rain', { effect: ratio }),
  says('forecast.trendUp', { effect: ratio }),
  says('forecast.trendDown', { effect: ratio }),
  /** Price or cost unknown: the bake aims at this chance of not selling out. */
  says('forecast.defaultRatio', { ratio }),
  says('forecast.parLevel', { par: units }),
  /** Sellable stock from earlier days, taken off the bake. */
  says('forecast.carriedOver', { units }),
]);
export type ForecastReason = z.infer<typeof forecastReason>;

/** The forecast leans on a shared model until the product has enough days of its own. */
export const historyTooShort = says('forecast.historyTooShort', {
  historyDays: count,
  minimumDays: count,
  model: z.enum(['general', 'consortium']),
});
