import { featureIndex, type FeatureName } from '../../federated/features/spec.ts';
import { predictModel, type ForecastModel } from './forecast-model.ts';
import type { ForecastReason } from '../api/contract/messages/index.ts';

/** One reason the forecast moved; the renderer words it in the shop's language. */
export type Explanation = { direction: 'up' | 'down' | 'neutral'; reason: ForecastReason };
/** The causes the model itself is asked about, each with its effect on the median. */
type CauseCode = Extract<ForecastReason, { params: { effect: number } }>['code'];

const weekdays = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'];
/** Effects smaller than this share of the median are not worth a sentence. */
const threshold = 0.05;
/** Effects as whole percentages, the precision the model deserves. */
const share = (r: number) => Math.round(r * 100) / 100;

function withFeatures(x: number[], changes: Partial<Record<FeatureName, number>>): number[] {
  const copy = [...x];
  for (const [name, value] of Object.entries(changes))
    copy[featureIndex(name as FeatureName)] = value!;
  return copy;
}

/**
 * What moved the forecast: each candidate cause is switched to neutral and the
 * model asked again; causes that shift the median by at least 5% are reported with their size.
 */
export function explainForecast(model: ForecastModel, x: number[]): Explanation[] {
  const weekdayNames = weekdays.map((d) => `weekday_${d}` as FeatureName);
  const today = weekdayNames.findIndex((n) => x[featureIndex(n)] === 1);
  // The weekly pattern lives in the weekday flags and the same-weekday lags together.
  const flatWeek = { lag7: 1, lag14: 1, same_weekday_4w: 1, same_weekday_8w: 1 } as const;
  const oneHot = (i: number) =>
    Object.fromEntries(weekdayNames.map((n, j) => [n, i === j ? 1 : 0]));
  const variants: number[][] = [
    x,
    ...weekdayNames.map((_, i) => withFeatures(x, { ...oneHot(i), ...flatWeek })),
  ];
  const holiday = x[featureIndex('holiday')] === 1;
  const soon = x[featureIndex('holiday_next2')] === 1;
  const hasTemp = x[featureIndex('temperature_missing')] === 0;
  const hasRain = x[featureIndex('rain_missing')] === 0;
  const neutralTrend = { lag1: 1, lag2: 1, mean7: 1 } as const;
  // The trend's direction is known only once the model has answered.
  const extra: { code: Exclude<CauseCode, 'forecast.weekday'> | 'trend'; row: number[] }[] = [];
  if (holiday) extra.push({ code: 'forecast.holiday', row: withFeatures(x, { holiday: 0 }) });
  if (soon)
    extra.push({ code: 'forecast.holidaySoon', row: withFeatures(x, { holiday_next2: 0 }) });
  // Weather is compared with a mild (12 °C), dry day, the middle of what the model has seen.
  if (hasTemp)
    extra.push({
      code: x[featureIndex('temperature')]! > 0 ? 'forecast.weatherWarm' : 'forecast.weatherCold',
      row: withFeatures(x, { temperature: 0 }),
    });
  if (hasRain && x[featureIndex('rain')]! > 0)
    extra.push({ code: 'forecast.rain', row: withFeatures(x, { rain: 0 }) });
  extra.push({ code: 'trend', row: withFeatures(x, neutralTrend) });
  const medians = predictModel(model, [...variants, ...extra.map((e) => e.row)]).map((q) => q[2]!);
  const base = medians[0]!;
  if (!(base > 0)) return [];
  const out: Explanation[] = [];
  if (today >= 0) {
    const average = medians.slice(1, 8).reduce((s, v) => s + v, 0) / 7;
    const effect = base / average - 1;
    if (Math.abs(effect) >= threshold)
      out.push({
        direction: effect > 0 ? 'up' : 'down',
        reason: { code: 'forecast.weekday', params: { weekday: today, effect: share(effect) } },
      });
  }
  extra.forEach((e, i) => {
    const without = medians[8 + i]!;
    const effect = without > 0 ? base / without - 1 : 0;
    if (Math.abs(effect) < threshold) return;
    const code =
      e.code !== 'trend' ? e.code : effect > 0 ? 'forecast.trendUp' : 'forecast.trendDown';
    out.push({
      direction: effect > 0 ? 'up' : 'down',
      reason: { code, params: { effect: share(effect) } },
    });
  });
  return out;
}
