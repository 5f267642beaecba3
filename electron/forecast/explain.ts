import { featureIndex, type FeatureName } from '../../federated/features/spec.ts';
import { predictQuantiles } from '../../federated/model/train.ts';

export type Explanation = {
  code:
    | 'weekday'
    | 'holiday'
    | 'holiday-soon'
    | 'weather-warm'
    | 'weather-cold'
    | 'weather-rain'
    | 'trend-up'
    | 'trend-down'
    | 'season'
    | 'par-level'
    | 'default-ratio';
  direction: 'up' | 'down' | 'neutral';
  text: string;
};

const weekdays = ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday'];
/** Effects smaller than this share of the median are not worth a sentence. */
const threshold = 0.05;

const pct = (r: number) => `${r > 0 ? '+' : ''}${Math.round(r * 100)}%`;

function withFeatures(x: number[], changes: Partial<Record<FeatureName, number>>): number[] {
  const copy = [...x];
  for (const [name, value] of Object.entries(changes))
    copy[featureIndex(name as FeatureName)] = value!;
  return copy;
}

/**
 * What moved the forecast, in plain words: each candidate cause is switched to neutral and the
 * model asked again; causes that shift the median by at least 5% are reported with their size.
 */
export function explainForecast(weights: Float32Array, x: number[]): Explanation[] {
  const weekdayNames = weekdays.map((d) => `weekday_${d.slice(0, 3).toLowerCase()}` as FeatureName);
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
  const extra: { code: Explanation['code'] | 'weather'; row: number[] }[] = [];
  if (holiday) extra.push({ code: 'holiday', row: withFeatures(x, { holiday: 0 }) });
  if (soon) extra.push({ code: 'holiday-soon', row: withFeatures(x, { holiday_next2: 0 }) });
  // Weather is compared with a mild (12 °C), dry day, the middle of what the model has seen.
  if (hasTemp) extra.push({ code: 'weather', row: withFeatures(x, { temperature: 0 }) });
  if (hasRain && x[featureIndex('rain')]! > 0)
    extra.push({ code: 'weather-rain', row: withFeatures(x, { rain: 0 }) });
  extra.push({ code: 'trend-up', row: withFeatures(x, neutralTrend) });
  const medians = predictQuantiles(weights, [...variants, ...extra.map((e) => e.row)]).map(
    (q) => q[2]!,
  );
  const base = medians[0]!;
  if (!(base > 0)) return [];
  const out: Explanation[] = [];
  if (today >= 0) {
    const average = medians.slice(1, 8).reduce((s, v) => s + v, 0) / 7;
    const effect = base / average - 1;
    if (Math.abs(effect) >= threshold)
      out.push({
        code: 'weekday',
        direction: effect > 0 ? 'up' : 'down',
        text: `${weekdays[today]}: ${pct(effect)} against an average day`,
      });
  }
  extra.forEach((e, i) => {
    const without = medians[8 + i]!;
    const effect = without > 0 ? base / without - 1 : 0;
    if (Math.abs(effect) < threshold) return;
    const direction = effect > 0 ? 'up' : 'down';
    if (e.code === 'holiday')
      out.push({ code: 'holiday', direction, text: `Public holiday: ${pct(effect)}` });
    else if (e.code === 'holiday-soon')
      out.push({
        code: 'holiday-soon',
        direction,
        text: `Holiday within two days: ${pct(effect)}`,
      });
    else if (e.code === 'weather') {
      const warm = x[featureIndex('temperature')]! > 0;
      out.push({
        code: warm ? 'weather-warm' : 'weather-cold',
        direction,
        text: `${warm ? 'Warm' : 'Cold'} weather: ${pct(effect)}`,
      });
    } else if (e.code === 'weather-rain')
      out.push({ code: 'weather-rain', direction, text: `Rain: ${pct(effect)}` });
    else
      out.push({
        code: effect > 0 ? 'trend-up' : 'trend-down',
        direction,
        text: `Recent days ${effect > 0 ? 'above' : 'below'} the usual level: ${pct(effect)}`,
      });
  });
  return out;
}
