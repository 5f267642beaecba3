import { ApiError, type Handlers } from '../api/dispatcher.ts';
import type { BackendContext } from '../backend/context.ts';
import { bakeryDate } from '../logs/settings.ts';
import { accuracy, forecastDay, leftoversAt, modelInfo, NoModelError } from './forecast-service.ts';
import { loadHistories } from './histories.ts';
import { activeModel, type RunRow } from './model-store.ts';
import { startBacktest } from './training-job.ts';
import { TrainingManager } from './training-manager.ts';
import { trainingTime } from './scheduler.ts';

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

const managers = new WeakMap<BackendContext, TrainingManager>();

/**
 * The backend's training manager (one per backend). The desktop main process calls
 * `trainingManager(context).scheduler.start()` once at launch: that catches up a missed night and
 * arms the nightly timer.
 */
export function trainingManager(context: BackendContext): TrainingManager {
  let manager = managers.get(context);
  if (!manager) {
    manager = new TrainingManager(context);
    managers.set(context, manager);
  }
  return manager;
}

/**
 * At launch of the desktop app (or `breadcast start`): catch up a missed night, arm the nightly
 * timer. Kept out of createBackend so tests and short-lived CLI backends never start training.
 */
export function startTrainingSchedule(
  context: BackendContext,
): Promise<'caught-up' | 'up-to-date'> {
  return trainingManager(context).scheduler.start();
}

/** At shutdown: stop the timer and cancel a running job (the active model stays as it was). */
export function stopTraining(context: BackendContext): void {
  const manager = managers.get(context);
  manager?.scheduler.stop();
  manager?.cancel();
}

const runOut = (r: RunRow) => ({
  id: r.id,
  startedAt: r.started_at,
  finishedAt: r.finished_at,
  status: r.status,
  trigger: r.trigger,
  backend: r.backend,
  samples: r.samples,
  epochs: r.epochs,
  lossBefore: r.loss_before,
  lossAfter: r.loss_after,
  error: r.error,
});

async function noModelAsApiError<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof NoModelError)
      throw new ApiError('unavailable', { code: 'refusal.noModel', params: {} });
    throw error;
  }
}

/** The forecast slice of the API (wired in backend.ts). */
export function forecastHandlers(context: BackendContext): ForecastHandlers {
  const manager = () => trainingManager(context);
  const today = () => bakeryDate(context.db, context.now());
  return {
    'forecast.tomorrow': (input) =>
      noModelAsApiError(() =>
        forecastDay(context.db, {
          ...(input.date ? { date: input.date } : {}),
          ...(input.planned ? { planned: input.planned } : {}),
          now: context.now(),
        }),
      ),
    'forecast.leftoversAt': async (input) => {
      const result = await noModelAsApiError(() =>
        leftoversAt(context.db, input.productId, input.date, input.quantity),
      );
      if (!result)
        throw new ApiError('not-found', { code: 'refusal.noSalesForProduct', params: {} });
      return result;
    },
    'forecast.accuracy': (input) => accuracy(context.db, input.days ?? 28, today()),
    'forecast.backtest': async (input) => {
      const products = loadHistories(context.db);
      if (products.every((p) => p.history.days.every((d) => d.sold === null)))
        throw new ApiError('unavailable', { code: 'refusal.nothingToBacktest', params: {} });
      try {
        return await startBacktest(products, input.holdoutDays ?? 56, (p) =>
          context.events.emit({ type: 'progress', task: 'backtest', done: p.done, total: p.total }),
        ).promise;
      } catch (error) {
        throw new ApiError('unavailable', {
          code: 'refusal.backtestFailed',
          params: { detail: (error as Error).message },
        });
      }
    },
    'training.status': () => {
      const m = manager();
      const last = m.lastRun();
      const model = activeModel(context.db);
      return {
        running: m.running,
        progress: m.progress,
        lastRun: last ? runOut(last) : null,
        schedule: {
          time: trainingTime(context.db),
          nextRunAt: m.scheduler.nextRunAt().toISOString(),
        },
        model: model ? modelInfo(model) : null,
      };
    },
    'training.start': async () => {
      const m = manager();
      if (m.running)
        throw new ApiError('conflict', { code: 'refusal.trainingRunning', params: {} });
      m.start('manual');
      // The run row is written when it ends; until then the id is the next one.
      const last = m.lastRun();
      return { runId: (last?.id ?? 0) + 1 };
    },
    'training.cancel': () => ({ cancelled: manager().cancel() }),
    'training.setSchedule': (input) => {
      const next = manager().scheduler.setTime(input.time);
      return { time: input.time, nextRunAt: next.toISOString() };
    },
  };
}
