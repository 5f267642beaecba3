import cron from 'node-cron';
import type { Db } from '../store/database.ts';

export const defaultTrainingTime = '02:00';
const settingKey = 'training.time';

/** Keeps the machine awake while a job runs; returns the release function. */
export type PreventSleep = (reason: string) => () => void;

/** Plain Node (CLI, tests, browser mode) cannot hold the machine awake: it says so and goes on. */
export const noPreventSleep =
  (log: (m: string) => void = () => {}): PreventSleep =>
  (reason) => {
    log(`keep-awake not available outside the desktop app (${reason})`);
    return () => {};
  };

export function trainingTime(db: Db): string {
  const row = db.prepare('SELECT value FROM settings WHERE key = ?').get(settingKey) as
    { value: string } | undefined;
  const value = row ? (JSON.parse(row.value) as unknown) : null;
  return typeof value === 'string' && /^([01]\d|2[0-3]):[0-5]\d$/.test(value)
    ? value
    : defaultTrainingTime;
}

export function setTrainingTime(db: Db, time: string): void {
  db.prepare(
    'INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value',
  ).run(settingKey, JSON.stringify(time));
}

/** The most recent moment at HH:MM (local clock) not after `now`. */
export function lastOccurrence(time: string, now: Date): Date {
  const [h, m] = time.split(':').map(Number) as [number, number];
  const at = new Date(now);
  at.setHours(h, m, 0, 0);
  if (at > now) at.setDate(at.getDate() - 1);
  return at;
}

export function nextOccurrence(time: string, now: Date): Date {
  const next = lastOccurrence(time, now);
  next.setDate(next.getDate() + 1);
  return next;
}

/** When the last training run (of any trigger) started, from training_runs. */
function lastRunStart(db: Db): Date | null {
  const row = db.prepare('SELECT max(started_at) AS s FROM training_runs').get() as {
    s: string | null;
  };
  return row.s ? new Date(row.s) : null;
}

export type SchedulerOptions = {
  db: Db;
  now: () => Date;
  /** Starts a run and resolves when it ends (success or not). */
  run: (trigger: 'schedule' | 'catch-up') => Promise<unknown>;
  preventSleep: PreventSleep;
  log?: (message: string) => void;
  /** False leaves the nightly timer off: the caller triggers runs itself (`trigger()`). */
  useCron?: boolean;
};

/**
 * Nightly training at the bakery's chosen time. A night missed because the app was closed is
 * caught up at the next start: `start()` compares the last scheduled moment with the last run.
 */
export class TrainingScheduler {
  private task: ReturnType<typeof cron.schedule> | null = null;
  private running: Promise<unknown> | null = null;

  constructor(private readonly options: SchedulerOptions) {}

  /** Runs a missed night now (if any), then arms the nightly timer. */
  async start(): Promise<'caught-up' | 'up-to-date'> {
    const missed = this.missedRun();
    this.arm();
    if (missed) {
      this.options.log?.(`training missed at ${missed.toISOString()}: catching up now`);
      await this.trigger('catch-up');
      return 'caught-up';
    }
    return 'up-to-date';
  }

  /** The scheduled moment that passed with no run started since, or null. */
  missedRun(): Date | null {
    // An empty bakery has nothing to learn from: no catch-up until something is logged.
    if (!this.options.db.prepare('SELECT 1 FROM daily_logs LIMIT 1').get()) return null;
    const due = lastOccurrence(trainingTime(this.options.db), this.options.now());
    const last = lastRunStart(this.options.db);
    return last && last >= due ? null : due;
  }

  nextRunAt(): Date {
    return nextOccurrence(trainingTime(this.options.db), this.options.now());
  }

  setTime(time: string): Date {
    setTrainingTime(this.options.db, time);
    if (this.task) this.arm();
    return this.nextRunAt();
  }

  /** What the cron timer calls; also the fake-clock entry point in tests. */
  trigger(kind: 'schedule' | 'catch-up'): Promise<unknown> {
    if (this.running) return this.running;
    const release = this.options.preventSleep(`nightly training (${kind})`);
    this.running = this.options
      .run(kind)
      .catch((error: unknown) => this.options.log?.(`scheduled training failed: ${String(error)}`))
      .finally(() => {
        release();
        this.running = null;
      });
    return this.running;
  }

  stop(): void {
    void this.task?.destroy();
    this.task = null;
  }

  private arm(): void {
    if (this.options.useCron === false) return;
    void this.task?.destroy();
    const [h, m] = trainingTime(this.options.db).split(':').map(Number) as [number, number];
    this.task = cron.schedule(`${m} ${h} * * *`, () => void this.trigger('schedule'), {
      name: 'breadcast-nightly-training',
    });
  }
}
