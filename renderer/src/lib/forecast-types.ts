import type { MethodOutput } from '../../../electron/api/contract/index.ts';

export type Tomorrow = MethodOutput<'forecast.tomorrow'>;
export type ProductForecast = Tomorrow['products'][number];
export type Explanation = ProductForecast['explanation'][number];
export type TrainingStatus = MethodOutput<'training.status'>;
export type ModelInfo = NonNullable<TrainingStatus['model']>;
export type Accuracy = MethodOutput<'forecast.accuracy'>;
export type Backtest = MethodOutput<'forecast.backtest'>;
export type Leftovers = MethodOutput<'forecast.leftoversAt'>;
