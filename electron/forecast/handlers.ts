import { ApiError, type Handlers } from '../api/dispatcher.ts';
import type { BackendContext } from '../backend/context.ts';

type ForecastHandlers = Pick<
  Handlers,
  | 'forecast.tomorrow'
  | 'forecast.leftoversAt'
  | 'forecast.accuracy'
  | 'forecast.backtest'
  | 'training.status'
  | 'training.start'
  | 'training.cancel'
  | 'training.setSchedule'
>;

const notYet = (): never => {
  throw new ApiError('unavailable', 'The forecast engine is being built.');
};

/** The forecast slice of the API (wired in backend.ts). */
export function forecastHandlers(_context: BackendContext): ForecastHandlers {
  return {
    'forecast.tomorrow': notYet,
    'forecast.leftoversAt': notYet,
    'forecast.accuracy': notYet,
    'forecast.backtest': notYet,
    'training.status': notYet,
    'training.start': notYet,
    'training.cancel': notYet,
    'training.setSchedule': notYet,
  };
}
