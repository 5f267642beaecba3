import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  addDays,
  clockTimeAt,
  dateAt,
  dateOfDay,
  datesBetween,
  dayNumber,
  daysBetween,
  isRealDate,
  isTimeZone,
  lastOccurrence,
  nextOccurrence,
  weekdayIndex,
  yearFraction,
} from '../../../federated/calendar/dates.ts';
import { inTimeZone, testZones } from '../../support/time-zones.ts';

/** Days from 1900 to 2200, as day numbers. */
const anyDay = fc.integer({ min: -25_567, max: 84_000 });
const anyZone = fc.constantFrom(...testZones, 'UTC', 'Asia/Kolkata', 'America/St_Johns');
const anyMoment = fc
  .integer({ min: Date.UTC(2000, 0, 1), max: Date.UTC(2060, 0, 1) })
  .map((ms) => new Date(ms));
const anyTime = fc
  .tuple(fc.integer({ min: 0, max: 23 }), fc.integer({ min: 0, max: 59 }))
  .map(([h, m]) => `${String(h).padStart(2, '0')}:${String(m).padStart(2, '0')}`);

describe('the date module', () => {
  it('day numbers and dates are inverse, and agree with the proleptic calendar', () => {
    fc.assert(
      fc.property(anyDay, (day) => {
        const date = dateOfDay(day);
        expect(dayNumber(date)).toBe(day);
        // An independent oracle: the platform's UTC calendar.
        expect(date).toBe(new Date(day * 86_400_000).toISOString().slice(0, 10));
        expect(weekdayIndex(date)).toBe((new Date(day * 86_400_000).getUTCDay() + 6) % 7);
      }),
    );
  });

  it('adding days moves by exactly that many calendar days, through months, leap years and DST', () => {
    fc.assert(
      fc.property(anyDay, fc.integer({ min: -1000, max: 1000 }), (day, n) => {
        const date = dateOfDay(day);
        const moved = addDays(date, n);
        expect(daysBetween(date, moved)).toBe(n);
        expect(addDays(moved, -n)).toBe(date);
        expect(weekdayIndex(addDays(date, 7 * Math.trunc(n / 7)))).toBe(weekdayIndex(date));
      }),
    );
    expect(addDays('2024-02-28', 1)).toBe('2024-02-29');
    expect(addDays('2023-02-28', 1)).toBe('2023-03-01');
    expect(addDays('2026-03-28', 2)).toBe('2026-03-30');
    expect(datesBetween('2024-12-30', '2025-01-02')).toEqual([
      '2024-12-30',
      '2024-12-31',
      '2025-01-01',
      '2025-01-02',
    ]);
    expect(datesBetween('2025-01-02', '2025-01-01')).toEqual([]);
    expect(yearFraction('2025-01-01')).toBe(0);
    expect(yearFraction('2024-12-31')).toBeCloseTo(365 / 365.25);
  });

  it('accepts only dates that exist', () => {
    for (const good of ['2024-02-29', '1999-12-31', '2026-03-29'])
      expect(isRealDate(good)).toBe(true);
    for (const bad of ['2023-02-29', '2024-13-01', '2024-04-31', '2024-4-1', '01.02.2024', ''])
      expect(isRealDate(bad)).toBe(false);
    expect(isTimeZone('Europe/Berlin')).toBe(true);
    expect(isTimeZone('Europe/Atlantis')).toBe(false);
  });

  it("today on the bakery's clock does not depend on the zone the process runs in", async () => {
    const moment = new Date('2026-03-29T00:30:00Z');
    const answers = await Promise.all(
      testZones.map((processZone) =>
        inTimeZone(processZone, () => testZones.map((zone) => dateAt(moment, zone))),
      ),
    );
    // Berlin 01:30 on the 29th, New York 20:30 on the 28th, Auckland 13:30 on the 29th.
    for (const answer of answers)
      expect(answer).toEqual(['2026-03-29', '2026-03-28', '2026-03-29']);
  });

  it('the last and next HH:MM bracket every moment, a day apart on the wall clock', () => {
    fc.assert(
      fc.property(anyMoment, anyTime, anyZone, (now, time, zone) => {
        const last = lastOccurrence(time, now, zone);
        const next = nextOccurrence(time, now, zone);
        expect(last.getTime()).toBeLessThanOrEqual(now.getTime());
        expect(next.getTime()).toBeGreaterThan(now.getTime());
        expect(daysBetween(dateAt(last, zone), dateAt(next, zone))).toBe(1);
        // The wall clock shows the time asked for, or, when that time fell into the hour the
        // clocks skipped, the same time an hour later.
        const minutes = (t: string) => Number(t.slice(0, 2)) * 60 + Number(t.slice(3));
        for (const moment of [last, next]) {
          const shown = clockTimeAt(moment, zone);
          if (shown !== time) expect(minutes(shown) - minutes(time)).toBe(60);
        }
      }),
    );
  });
});
