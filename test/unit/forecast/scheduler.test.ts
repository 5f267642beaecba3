import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { openDatabase, type Db } from '../../../electron/store/database.ts';
import {
  noPreventSleep,
  TrainingScheduler,
  trainingTime,
} from '../../../electron/forecast/scheduler.ts';
import { setSettings } from '../../../electron/logs/settings.ts';
import { lastOccurrence, nextOccurrence } from '../../../federated/calendar/dates.ts';
import { inTimeZone } from '../../support/time-zones.ts';

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
function scheduler(clock: { now: Date }, useCron = false, wakeCheckMs?: number) {
  const runs: string[] = [];
  const sleeps: string[] = [];
  const s = new TrainingScheduler({
    db,
    now: () => clock.now,
    useCron,
    ...(wakeCheckMs ? { wakeCheckMs } : {}),
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
    const zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
    expect(trainingTime(db)).toBe('02:00');
    expect(lastOccurrence('02:00', at(2026, 11, 27, 9, 0), zone)).toEqual(at(2026, 11, 27, 2, 0));
    expect(lastOccurrence('02:00', at(2026, 11, 27, 1, 0), zone)).toEqual(at(2026, 11, 26, 2, 0));
    expect(nextOccurrence('02:00', at(2026, 11, 27, 9, 0), zone)).toEqual(at(2026, 11, 28, 2, 0));
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

  it("keeps to the bakery's clock across daylight-saving nights in Berlin, New York and Auckland", async () => {
    // [zone, the 02:30 run of the night the clocks spring forward, that of the night they fall
    // back, whether 02:30 happens twice that night]. 02:30 does not exist on the first night, so
    // it runs when the clock says 03:30; a repeated 02:30 runs once, the first time.
    const nights = [
      ['Europe/Berlin', '2026-03-29T01:30:00Z', '2026-10-25T00:30:00Z', true],
      ['America/New_York', '2026-03-08T07:30:00Z', '2026-11-01T07:30:00Z', false],
      ['Pacific/Auckland', '2026-09-26T14:30:00Z', '2026-04-04T13:30:00Z', true],
    ] as const;
    for (const [zone, springRun, autumnRun, repeated] of nights)
      await inTimeZone(zone, async () => {
        const clock = { now: new Date(springRun) };
        const { s } = scheduler(clock);
        s.setTime('02:30');
        // Six hours before each night's run, the next run is that night's.
        for (const run of [springRun, autumnRun]) {
          clock.now = new Date(new Date(run).getTime() - 6 * 3_600_000);
          expect(s.nextRunAt().toISOString()).toBe(new Date(run).toISOString());
        }
        // Half an hour after the autumn run the night counts as done; the next run is a day
        // later on the wall clock, 25 hours later where the night had an hour more.
        clock.now = new Date(new Date(autumnRun).getTime() + 30 * 60_000);
        db.prepare(
          "INSERT INTO training_runs (started_at, status, trigger) VALUES (?, 'succeeded', 'schedule')",
        ).run(autumnRun);
        expect(s.missedRun()).toBeNull();
        const hours = (s.nextRunAt().getTime() - new Date(autumnRun).getTime()) / 3_600_000;
        expect(hours).toBe(repeated ? 25 : 24);
        db.prepare('DELETE FROM training_runs').run();
      });
  });

  it("follows the bakery's chosen time zone, not the zone the machine runs in", async () => {
    await inTimeZone('America/New_York', async () => {
      setSettings(db, { timeZone: 'Europe/Berlin' });
      const { s } = scheduler({ now: new Date('2026-06-10T12:00:00Z') });
      // 02:00 in Berlin in summer is 00:00 UTC, whatever New York thinks.
      expect(s.nextRunAt().toISOString()).toBe('2026-06-11T00:00:00.000Z');
    });
  });
});

describe('the nightly timer (node-cron) on a machine that sleeps', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('runs at 02:00 by itself, and a night slept through runs when the machine wakes', async () => {
    await inTimeZone('Europe/Berlin', async () => {
      vi.useFakeTimers({
        toFake: ['Date', 'setTimeout', 'clearTimeout', 'setInterval', 'clearInterval'],
      });
      vi.setSystemTime(new Date('2026-06-10T20:00:00Z')); // 22:00 in Berlin
      db.prepare(
        "INSERT INTO training_runs (started_at, status, trigger) VALUES ('2026-06-10T00:00:00Z', 'succeeded', 'schedule')",
      ).run();
      const clock = {
        get now() {
          return new Date();
        },
      };
      // The periodic check is made rare here, so only node-cron's missed-execution path can act.
      const { s, runs, sleeps } = scheduler(clock, true, 24 * 3_600_000);
      expect(await s.start()).toBe('up-to-date');
      // Awake all night: node-cron's own timer fires at 02:00 Berlin (00:00 UTC).
      await vi.advanceTimersByTimeAsync(4 * 3_600_000 + 1_000);
      expect(runs).toEqual(['schedule']);
      expect(sleeps).toEqual(['hold nightly training (schedule)', 'release']);

      // The next evening the lid closes at 23:00 and opens at 07:30: timers do not run while the
      // machine sleeps, but the wall clock moves on.
      await vi.advanceTimersByTimeAsync(21 * 3_600_000);
      vi.setSystemTime(new Date(Date.now() + 8.5 * 3_600_000));
      expect(runs).toEqual(['schedule']);
      // Woken: the overdue timer fires late, node-cron reports the slot as missed, and the night
      // runs now instead of being skipped until the next one.
      await vi.advanceTimersByTimeAsync(3 * 3_600_000);
      expect(runs).toEqual(['schedule', 'catch-up']);
      expect(sleeps.slice(2)).toEqual(['hold nightly training (catch-up)', 'release']);
      // Later checks find nothing more to do.
      await vi.advanceTimersByTimeAsync(3_600_000);
      expect(runs).toEqual(['schedule', 'catch-up']);
      s.stop();
    });
  });

  it('the periodic wake check catches a night the timer has not noticed yet', async () => {
    await inTimeZone('Pacific/Auckland', async () => {
      vi.useFakeTimers({
        toFake: ['Date', 'setTimeout', 'clearTimeout', 'setInterval', 'clearInterval'],
      });
      vi.setSystemTime(new Date('2026-06-10T10:00:00Z')); // 22:00 in Auckland
      db.prepare(
        "INSERT INTO training_runs (started_at, status, trigger) VALUES ('2026-06-09T14:00:00Z', 'succeeded', 'schedule')",
      ).run();
      const { s, runs } = scheduler(
        {
          get now() {
            return new Date();
          },
        },
        true,
      );
      await s.start();
      // Asleep from 22:00 to 09:00: one hour of timers later the 5-minute check has run.
      vi.setSystemTime(new Date(Date.now() + 11 * 3_600_000));
      await vi.advanceTimersByTimeAsync(5 * 60_000 + 1_000);
      expect(runs).toEqual(['catch-up']);
      s.stop();
    });
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
