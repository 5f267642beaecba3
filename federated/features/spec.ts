import { categories } from './history.ts';

/**
 * The one feature spec every bakery and the coordinator use. Bump `version` whenever a name,
 * its order or its meaning changes: weights trained for one version are useless for another.
 */
export const featureSpec = {
  version: 'fs-3',
  names: [
    ...['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'].map((d) => `weekday_${d}`),
    'season_sin',
    'season_cos',
    'season_sin2',
    'season_cos2',
    'holiday',
    'holiday_next2',
    'closed_yesterday',
    'closed_tomorrow',
    ...categories.map((c) => `category_${c}`),
    'shelf_life',
    'lag1',
    'lag2',
    'lag7',
    'lag14',
    'same_weekday_4w',
    'same_weekday_8w',
    'mean7',
    'mean28',
    'zero_share28',
    'count_noise',
    'temperature',
    'temperature_missing',
    'rain',
    'rain_missing',
  ],
} as const;

export type FeatureName = (typeof featureSpec.names)[number];
export const featureCount = featureSpec.names.length;

export function featureIndex(name: FeatureName): number {
  return (featureSpec.names as readonly string[]).indexOf(name);
}

/** Quantile levels the model predicts, lowest first. */
export const quantileLevels = [0.1, 0.25, 0.5, 0.75, 0.9] as const;

/** Open days a product needs before its own level is trusted; below it the UI warns. */
export const minimumHistoryDays = 28;
/** How far back (calendar days) a product's level is looked for: older sales cannot set it. */
export const levelWindowDays = 91;
/** Open days needed before a day may serve as a training sample. */
export const minimumSampleHistory = 14;
/** Targets above this many times the level are clipped: one catering order must not teach the model. */
export const targetCap = 8;
