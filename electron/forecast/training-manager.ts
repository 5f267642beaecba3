import type { BackendContext } from '../backend/context.ts';
import { syncIfEnrolled } from '../sync/handlers.ts';
import { refreshWeather } from '../weather/refresh.ts';
import { lastRun, type RunRow } from './model-store.ts';
import { TrainingScheduler, type PreventSleep } from './scheduler.ts';
import {
  startTraining,
  type Progress,
  type TrainingHandle,
  type TrainingOutcome,
} from './training-job.ts';

/**
 * One per backend: at most one training run at a time, its progress for `training.status`,
 * progress and keep-awake events to the UI, and the nightly scheduler.
 */
export class TrainingManager {
  private current: { handle: TrainingHandle; progress: Progress | null } | null = null;
  readonly scheduler: TrainingScheduler;

  constructor(
    private readonly context: BackendContext,
    preventSleep?: PreventSleep,
  ) {
    this.scheduler = new TrainingScheduler({
      db: context.db,
      now: context.now,
      run: (trigger) => this.runNight(trigger),
      preventSleep: preventSleep ?? this.keepAwakeByEvent,
      log: (m) => context.log.info(m),
    });
  }

  /** Desktop shell listens for these and holds a powerSaveBlocker; in browser mode nobody does. */
  private keepAwakeByEvent: PreventSleep = (reason) => {
    this.context.events.emit({ type: 'keep-awake', active: true, reason });
    return () => this.context.events.emit({ type: 'keep-awake', active: false, reason });
  };

  get running(): boolean {
    return this.current !== null;
  }

  get progress(): Progress | null {
    return this.current?.progress ?? null;
  }

  lastRun(): RunRow | null {
    return lastRun(this.context.db);
  }

  /** Starts a run (or returns the running one): progress events go to the UI. */
  start(trigger: 'schedule' | 'catch-up' | 'manual'): TrainingHandle & { runningAlready: boolean } {
    if (this.current) return { ...this.current.handle, runningAlready: true };
    const state: { handle: TrainingHandle; progress: Progress | null } = {
      handle: null as unknown as TrainingHandle,
      progress: null,
    };
    const release = trigger === 'manual' ? this.keepAwakeByEvent('training') : () => {};
    const handle = startTraining({
      db: this.context.db,
      trigger,
      now: this.context.now,
      onProgress: (p) => {
        state.progress = p;
        this.context.events.emit({
          type: 'progress',
          task: 'training',
          done: p.done,
          total: p.total,
          ...(p.loss !== null ? { message: `loss ${p.loss.toFixed(4)}` } : {}),
        });
      },
    });
    const promise: Promise<TrainingOutcome> = handle.promise.finally(() => {
      release();
      this.current = null;
      this.context.events.emit({ type: 'data.changed', scope: 'model' });
    });
    promise.catch((error: unknown) =>
      this.context.log.warn({ err: error }, 'training ended without a model'),
    );
    state.handle = { promise, cancel: handle.cancel };
    this.current = state;
    return { ...state.handle, runningAlready: false };
  }

  /**
   * The night's work: training, then the sync (its update, the new model), even when training
   * failed, since the consortium's model still arrives. Resolves only when both have ended, so
   * whoever holds the machine awake holds it through the sync too.
   */
  async runNight(trigger: 'schedule' | 'catch-up'): Promise<void> {
    // Tomorrow's weather first (a failure is only a warning), for the morning's forecast.
    if (this.context.weather)
      await refreshWeather(this.context.db, this.context.weather, {
        now: this.context.now(),
        log: this.context.log,
      }).catch((error: unknown) =>
        this.context.log.warn({ err: error }, 'weather forecast not stored'),
      );
    await this.start(trigger).promise.catch(() => undefined);
    try {
      await syncIfEnrolled(this.context);
    } catch (error) {
      this.context.log.warn({ err: error }, 'nightly sync failed');
    }
  }

  cancel(): boolean {
    if (!this.current) return false;
    this.current.handle.cancel();
    return true;
  }
}
