import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { addDays, weekdayIndex, dayNumber } from '../../../federated/calendar/dates.ts';
import { extractSamples, featureRow } from '../../../federated/features/extract.ts';
import type { HistoryDay, ProductHistory } from '../../../federated/features/history.ts';
import {
  featureCount,
  featureIndex,
  featureSpec,
  type FeatureName,
} from '../../../federated/features/spec.ts';

const start = '2024-01-01'; // a Monday

/** n days of a product selling `sold(i)` on day i; closed on the days `closed(i)` says. */
function history(
  n: number,
  sold: (i: number) => number,
  extra: Partial<Record<number, Partial<HistoryDay>>> = {},
  closed: (i: number) => boolean = () => false,
): ProductHistory {
  return {
    category: 'bread',
    shelfLifeDays: 1,
    days: Array.from({ length: n }, (_, i) => ({
      date: addDays(start, i),
      sold: closed(i) ? 0 : sold(i),
      closed: closed(i),
      soldOut: false,
      holiday: false,
      temperature: null,
      rain: null,
      ...extra[i],
    })),
  };
}

const f = (x: number[], name: FeatureName) => x[featureIndex(name)]!;

describe('feature spec', () => {
  it('is versioned and names every column once', () => {
    expect(featureSpec.version).toMatch(/^fs-\d+$/);
    expect(new Set(featureSpec.names).size).toBe(featureCount);
  });
});

describe('feature rows on hand-made logs', () => {
  it('a flat product has level = its sales and every relative lag = 1', () => {
    const row = featureRow(
      history(60, () => 40),
      addDays(start, 60),
    )!;
    expect(row.level).toBe(40);
    for (const name of [
      'lag1',
      'lag2',
      'lag7',
      'lag14',
      'same_weekday_4w',
      'mean7',
      'mean28',
    ] as const)
      expect(f(row.x, name)).toBeCloseTo(1, 10);
    expect(f(row.x, 'zero_share28')).toBe(0);
    expect(f(row.x, 'count_noise')).toBeCloseTo(1 / Math.sqrt(40), 10);
    expect(f(row.x, 'category_bread')).toBe(1);
    expect(f(row.x, 'category_cake')).toBe(0);
  });

  it('is scale-free: ten times the sales gives the same row except the count-noise term', () => {
    const weekly = (i: number) => [10, 12, 9, 11, 20, 30, 15][i % 7]!;
    const a = featureRow(history(70, weekly), addDays(start, 70))!;
    const b = featureRow(
      history(70, (i) => 10 * weekly(i)),
      addDays(start, 70),
    )!;
    const noise = featureIndex('count_noise');
    a.x.forEach((v, i) => {
      if (i !== noise) expect(b.x[i]).toBeCloseTo(v, 10);
    });
    expect(b.level).toBeCloseTo(10 * a.level, 8);
  });

  it('encodes weekday, holiday today and within two days, and closures around the day', () => {
    // Day 63 = 2024-03-04, a Monday; holiday on day 64; closed on day 62 (Sunday).
    const h = history(
      66,
      () => 20,
      { 64: { holiday: true } },
      (i) => i === 62,
    );
    const row = featureRow(h, addDays(start, 63))!;
    expect(weekdayIndex(dayNumber(addDays(start, 63)))).toBe(0);
    expect(f(row.x, 'weekday_mon')).toBe(1);
    expect(f(row.x, 'weekday_tue')).toBe(0);
    expect(f(row.x, 'holiday')).toBe(0);
    expect(f(row.x, 'holiday_next2')).toBe(1);
    expect(f(row.x, 'closed_yesterday')).toBe(1);
    expect(featureRow(h, addDays(start, 64))!.x[featureIndex('holiday')]).toBe(1);
  });

  it('computes lags relative to the level with known values', () => {
    // 50 every day, except 100 yesterday and 25 a week ago.
    const n = 60;
    const h = history(n, (i) => (i === n - 1 ? 100 : i === n - 7 ? 25 : 50));
    const row = featureRow(h, addDays(start, n))!;
    expect(row.level).toBe(50); // the trimmed mean drops the two outliers
    expect(f(row.x, 'lag1')).toBeCloseTo(2, 10);
    expect(f(row.x, 'lag2')).toBeCloseTo(1, 10);
    expect(f(row.x, 'lag7')).toBeCloseTo(0.5, 10);
    expect(f(row.x, 'mean7')).toBeCloseTo((100 + 25 + 5 * 50) / 7 / 50, 10);
  });

  it('marks weather missing when unknown and scales it when known', () => {
    const h = history(40, () => 10, { 39: { temperature: 22, rain: 0 } });
    const known = featureRow(h, addDays(start, 39))!;
    expect(f(known.x, 'temperature')).toBeCloseTo(1, 10);
    expect(f(known.x, 'temperature_missing')).toBe(0);
    expect(f(known.x, 'rain_missing')).toBe(0);
    const unknown = featureRow(h, addDays(start, 38))!;
    expect(f(unknown.x, 'temperature')).toBe(0);
    expect(f(unknown.x, 'temperature_missing')).toBe(1);
  });
});

describe('training samples', () => {
  it('exclude closed days, need 14 open days before, and carry target, level and censoring', () => {
    const h = history(
      42,
      (i) => 30 + (i % 3),
      { 30: { soldOut: true } },
      (i) => i % 7 === 6,
    );
    const samples = extractSamples(h);
    const dates = new Set(samples.map((s) => s.date));
    for (let i = 0; i < 42; i++) if (i % 7 === 6) expect(dates.has(addDays(start, i))).toBe(false);
    // 14 open days first: days 0–15 minus the two Sundays (6, 13) → the first sample is day 16.
    expect(samples[0]!.date).toBe(addDays(start, 16));
    for (const s of samples) {
      expect(s.y).toBeCloseTo(s.sold / s.level, 10);
      expect(s.x).toHaveLength(featureCount);
    }
    expect(samples.find((s) => s.date === addDays(start, 30))!.censored).toBe(true);
    expect(samples.filter((s) => s.censored)).toHaveLength(1);
  });

  it('use only what was known the day before: changing a later day never changes an earlier row', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 200 }), { minLength: 40, maxLength: 60 }),
        fc.integer({ min: 0, max: 500 }),
        (sales, changed) => {
          const a = history(sales.length, (i) => sales[i]!);
          const b = history(sales.length, (i) => (i === sales.length - 1 ? changed : sales[i]!));
          const ra = extractSamples(a).slice(0, -1);
          const rb = extractSamples(b).slice(0, -1);
          expect(rb.map((s) => s.x)).toEqual(ra.map((s) => s.x));
        },
      ),
      { numRuns: 30 },
    );
  });

  it('produce finite, capped features for any sales pattern', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 10_000 }), { minLength: 20, maxLength: 50 }),
        (sales) => {
          for (const s of extractSamples(history(sales.length, (i) => sales[i]!))) {
            expect(s.x.every((v) => Number.isFinite(v) && v <= 8)).toBe(true);
            expect(s.level).toBeGreaterThanOrEqual(1);
          }
        },
      ),
      { numRuns: 40 },
    );
  });
});
