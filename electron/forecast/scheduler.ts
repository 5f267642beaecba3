import cron from 'node-cron';
import { isClockTime, lastOccurrence, nextOccurrence } from '../../federated/calendar/dates.ts';
import { getSettings } from '../logs/settings.ts';
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
  return typeof value === 'string' && isClockTime(value) ? value : defaultTrainingTime;
}

export function setTrainingTime(db: Db, time: string): void {
  db.prepare(
    'INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value',
  ).run(settingKey, JSON.stringify(time));
}

/** How long after the nightly slot its timer may fire before a wake check treats it as missed. */
const timerGraceMs = 60_000;

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
  /** Runs the night's work (training, then the sync) and resolves when all of it has ended. */
  run: (trigger: 'schedule' | 'catch-up') => Promise<unknown>;
  preventSleep: PreventSleep;
  log?: (message: string) => void;
  /** False leaves the nightly timer off: the caller triggers runs itself (`trigger()` / `wakeCheck()`). */
  useCron?: boolean;
  /** How often a running app looks whether a night passed while the machine slept. */
  wakeCheckMs?: number;
};

/**
 * Nightly training at the bakery's chosen time on the bakery's clock (its time zone, so daylight
 * saving moves nothing). A night missed because the app was closed runs at the next start; one
 * missed while the app was open but the machine asleep runs when it wakes: node-cron reports the
 * slot it woke up too late for (`execution:missed`), and a periodic check catches a wake-up the
 * timer has not noticed yet. The machine is held awake until the night's work (training and
 * the sync after it) has ended.
 */
export class TrainingScheduler {
  private task: ReturnType<typeof cron.schedule> | null = null;
  private wakeTimer: ReturnType<typeof setInterval> | null = null;
  private running: Promise<unknown> | null = null;
  /** The scheduled moment last acted upon, so a failing night is not retried every check. */
  private handled: number | null = null;

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

  private get timeZone(): string {
    return getSettings(this.options.db).timeZone;
  }

  /** The scheduled moment that passed with no run started since, or null. */
  missedRun(): Date | null {
    // An empty bakery has nothing to learn from: no catch-up until something is logged.
    if (!this.options.db.prepare('SELECT 1 FROM daily_logs LIMIT 1').get()) return null;
    const due = lastOccurrence(trainingTime(this.options.db), this.options.now(), this.timeZone);
    const last = lastRunStart(this.options.db);
    return last && last >= due ? null : due;
  }

  nextRunAt(): Date {
    return nextOccurrence(trainingTime(this.options.db), this.options.now(), this.timeZone);
  }

  setTime(time: string): Date {
    setTrainingTime(this.options.db, time);
    if (this.task) this.arm();
    return this.nextRunAt();
  }

  /**
   * After a wake-up (or on the periodic check): runs the night the machine slept through, once.
   * A slot younger than a minute is the timer's own to run: a check landing on the very second
   * of the slot would otherwise run the night twice. Resolves with what it did.
   */
  async wakeCheck(): Promise<'caught-up' | 'up-to-date'> {
    const missed = this.missedRun();
    if (!missed || this.running || this.handled === missed.getTime()) return 'up-to-date';
    if (this.options.now().getTime() - missed.getTime() < timerGraceMs) return 'up-to-date';
    this.options.log?.(`the machine slept through ${missed.toISOString()}: training now`);
    await this.trigger('catch-up');
    return 'caught-up';
  }

  /** What the cron timer calls; also the entry point of tests that drive the schedule by hand. */
  trigger(kind: 'schedule' | 'catch-up'): Promise<unknown> {
    if (this.running) return this.running;
    this.handled = lastOccurrence(
      trainingTime(this.options.db),
      this.options.now(),
      this.timeZone,
    ).getTime();
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

  /** The nightly timer fired: runs the slot unless a wake check already did. */
  private onTimer(): Promise<unknown> | undefined {
    const slot = lastOccurrence(trainingTime(this.options.db), this.options.now(), this.timeZone);
    if (this.handled === slot.getTime()) return undefined;
    return this.trigger('schedule');
  }

  stop(): void {
    void this.task?.destroy();
    this.task = null;
    if (this.wakeTimer) clearInterval(this.wakeTimer);
    this.wakeTimer = null;
  }

  private arm(): void {
    if (this.options.useCron === false) return;
    void this.task?.destroy();
    const [h, m] = trainingTime(this.options.db).split(':').map(Number) as [number, number];
    const task = cron.schedule(`${m} ${h} * * *`, () => void this.onTimer(), {
      name: 'breadcast-nightly-training',
      timezone: this.timeZone,
    });
    // The timer fires late after a sleep and node-cron then skips the slot as missed: run it now.
    task.on('execution:missed', () => void this.wakeCheck());
    this.task = task;
    if (!this.wakeTimer) {
      this.wakeTimer = setInterval(
        () => void this.wakeCheck(),
        this.options.wakeCheckMs ?? 300_000,
      );
      this.wakeTimer.unref();
    }
  }
}
