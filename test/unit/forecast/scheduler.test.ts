import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { openDatabase, type Db } from '../../../electron/store/database.ts';
import {
  lastOccurrence,
  nextOccurrence,
  noPreventSleep,
  TrainingScheduler,
  trainingTime,
} from '../../../electron/forecast/scheduler.ts';

let dir: string;
let db: Db;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'breadcast-schedule-'));
  db = openDatabase(join(dir, 'shop.sqlite'));
  db.prepare(
    "INSERT INTO products (name, name_key, category, created_at, updated_at) VALUES ('Roll', 'roll', 'rolls', 'x', 'x')",
  ).run();
  db.prepare(
    "INSERT INTO daily_logs (date, product_id, sold, updated_at) VALUES ('2026-11-20', 1, 5, 'x')",
  ).run();
});

afterEach(() => {
  db.close();
  rmSync(dir, { recursive: true, force: true });
});

/** A scheduler on a fake clock whose "training" just records a run like the real job does. */
function scheduler(clock: { now: Date }, useCron = false) {
  const runs: string[] = [];
  const sleeps: string[] = [];
  const s = new TrainingScheduler({
    db,
    now: () => clock.now,
    useCron,
    preventSleep: (reason) => {
      sleeps.push(`hold ${reason}`);
      return () => sleeps.push('release');
    },
    run: async (trigger) => {
      runs.push(trigger);
      db.prepare(
        "INSERT INTO training_runs (started_at, status, trigger) VALUES (?, 'succeeded', ?)",
      ).run(clock.now.toISOString(), trigger);
    },
  });
  return { s, runs, sleeps };
}

const at = (y: number, mo: number, d: number, h: number, mi: number) =>
  new Date(y, mo - 1, d, h, mi);

describe('nightly training schedule', () => {
  it('defaults to 02:00 and computes the last and next occurrence on the local clock', () => {
    expect(trainingTime(db)).toBe('02:00');
    expect(lastOccurrence('02:00', at(2026, 11, 27, 9, 0))).toEqual(at(2026, 11, 27, 2, 0));
    expect(lastOccurrence('02:00', at(2026, 11, 27, 1, 0))).toEqual(at(2026, 11, 26, 2, 0));
    expect(nextOccurrence('02:00', at(2026, 11, 27, 9, 0))).toEqual(at(2026, 11, 28, 2, 0));
  });

  it('runs a night missed while the app was closed at the next start, keeping the machine awake', async () => {
    const clock = { now: at(2026, 11, 27, 1, 0) };
    const first = scheduler(clock);
    // Trained on the 26th at 02:00, then the app was closed over the night of the 27th.
    db.prepare(
      "INSERT INTO training_runs (started_at, status, trigger) VALUES (?, 'succeeded', 'schedule')",
    ).run(at(2026, 11, 26, 2, 0).toISOString());
    expect(await first.s.start()).toBe('up-to-date');
    expect(first.runs).toEqual([]);

    clock.now = at(2026, 11, 27, 8, 30); // opened in the morning: 02:00 passed without a run
    const second = scheduler(clock);
    expect(second.s.missedRun()).toEqual(at(2026, 11, 27, 2, 0));
    expect(await second.s.start()).toBe('caught-up');
    expect(second.runs).toEqual(['catch-up']);
    expect(second.sleeps).toEqual(['hold nightly training (catch-up)', 'release']);

    // Started again the same day: nothing more to catch up.
    clock.now = at(2026, 11, 27, 12, 0);
    const third = scheduler(clock);
    expect(await third.s.start()).toBe('up-to-date');
    expect(third.runs).toEqual([]);
  });

  it('follows a bakery-chosen time', async () => {
    const clock = { now: at(2026, 11, 27, 3, 0) };
    const { s, runs } = scheduler(clock);
    db.prepare(
      "INSERT INTO training_runs (started_at, status, trigger) VALUES (?, 'succeeded', 'schedule')",
    ).run(at(2026, 11, 27, 2, 0).toISOString());
    expect(s.setTime('04:30')).toEqual(at(2026, 11, 27, 4, 30));
    expect(trainingTime(db)).toBe('04:30');
    clock.now = at(2026, 11, 27, 5, 0);
    expect(await s.start()).toBe('caught-up');
    expect(runs).toEqual(['catch-up']);
  });

  it('does not catch up in an empty bakery, and plain Node says it cannot keep awake', async () => {
    db.prepare('DELETE FROM daily_logs').run();
    const { s, runs } = scheduler({ now: at(2026, 11, 27, 9, 0) });
    expect(await s.start()).toBe('up-to-date');
    expect(runs).toEqual([]);
    const said: string[] = [];
    noPreventSleep((m) => said.push(m))('training')();
    expect(said[0]).toMatch(/not available/);
  });
});

describe('the nightly timer (node-cron on fake timers)', () => {
  afterEach(() => vi.useRealTimers());

  it("fires at the bakery's time each night, follows a new time, and stops", async () => {
    vi.useFakeTimers({ now: at(2026, 11, 27, 1, 0) });
    const clock = {
      get now() {
        return new Date();
      },
    };
    db.prepare(
      "INSERT INTO training_runs (started_at, status, trigger) VALUES (?, 'succeeded', 'schedule')",
    ).run(at(2026, 11, 26, 2, 0).toISOString());
    const { s, runs, sleeps } = scheduler(clock, true);
    try {
      expect(await s.start()).toBe('up-to-date');
      await vi.advanceTimersByTimeAsync(59 * 60_000); // 01:59: not yet
      expect(runs).toEqual([]);
      await vi.advanceTimersByTimeAsync(2 * 60_000); // 02:01
      expect(runs).toEqual(['schedule']);
      expect(sleeps).toEqual(['hold nightly training (schedule)', 'release']);

      expect(s.setTime('04:30')).toEqual(at(2026, 11, 27, 4, 30));
      await vi.advanceTimersByTimeAsync(2.5 * 3600_000); // 04:31
      expect(runs).toEqual(['schedule', 'schedule']);
      await vi.advanceTimersByTimeAsync(21.5 * 3600_000); // 28 November, 02:01: the old time
      expect(runs).toHaveLength(2);
      await vi.advanceTimersByTimeAsync(2.5 * 3600_000); // 04:31
      expect(runs).toHaveLength(3);
      expect(db.prepare('SELECT max(started_at) AS s FROM training_runs').get()).toEqual({
        s: at(2026, 11, 28, 4, 30).toISOString(),
      });
    } finally {
      s.stop();
    }
    await vi.advanceTimersByTimeAsync(3 * 24 * 3600_000);
    expect(runs).toHaveLength(3);
  });
});
