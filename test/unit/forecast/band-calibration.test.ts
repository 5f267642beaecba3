import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  bandShift,
  calibrationMinDays,
  calibrationPointsWanted,
  calibrationWindow,
  calibrationWindowDays,
  conformalShift,
  noShift,
  shiftBand,
  type BandShift,
  type CalibrationPoint,
} from '../../../federated/decisions/band-calibration.ts';
import { addDays } from '../../../federated/calendar/dates.ts';
import { seededRandom } from '../../../federated/model/random.ts';

const point = fc.record({
  p10: fc.double({ min: 0, max: 50, noNaN: true }),
  width: fc.double({ min: 0, max: 100, noNaN: true }),
  sold: fc.integer({ min: 0, max: 200 }),
  level: fc.double({ min: 1, max: 80, noNaN: true }),
});
const points = fc
  .array(point, { minLength: 30, maxLength: 300 })
  .map((ps) =>
    ps.map((p) => ({ date: '', p10: p.p10, p90: p.p10 + p.width, sold: p.sold, level: p.level })),
  );

type Scored = Omit<CalibrationPoint, 'date'>;
const shareBelow = (ps: Scored[], edge: (p: Scored) => number) =>
  ps.filter((p) => p.sold < edge(p)).length / ps.length;

describe('conformal shift', () => {
  it('puts at most 10 % of the days below the new p10 and at least 90 % (n+1)/n at or below the new p90', () => {
    fc.assert(
      fc.property(points, (ps) => {
        const n = ps.length;
        const shift = conformalShift(ps);
        // The edge is the ⌊0.1(n+1)⌋-th and the ⌈0.9(n+1)⌉-th smallest of the days' scores: the
        // finite-sample ranks, one day more cautious than the plain 10 % and 90 % points.
        const lo = shareBelow(ps, (p) => p.p10 + shift.p10 * p.level - 1e-9);
        const atLo = shareBelow(ps, (p) => p.p10 + shift.p10 * p.level + 1e-9);
        const hi = shareBelow(ps, (p) => p.p90 + shift.p90 * p.level - 1e-9);
        const atHi = shareBelow(ps, (p) => p.p90 + shift.p90 * p.level + 1e-9);
        expect(lo).toBeLessThan(0.1);
        expect(atLo * n).toBeGreaterThanOrEqual(Math.floor(0.1 * (n + 1)) - 1e-9);
        expect(atHi * n).toBeGreaterThanOrEqual(0.9 * (n + 1) - 1e-9);
        // …and the edges are not loose: one rank less would leave the guarantee.
        expect(hi * n).toBeLessThan(0.9 * (n + 1));
      }),
    );
  });

  it('widens a band that is too narrow and narrows one that is too wide', () => {
    // Sales spread evenly over 0…99 at level 10; a band 40…60 is too narrow, 0…200 too wide.
    const days = (p10: number, p90: number) =>
      Array.from({ length: 100 }, (_, sold) => ({ p10, p90, sold, level: 10 }));
    // Ranks ⌊0.1 × 101⌋ = 10 and ⌈0.9 × 101⌉ = 91 of the sales 0…99: 9 and 90.
    const narrow = conformalShift(days(40, 60));
    expect(narrow.p10).toBeCloseTo(-3.1, 9); // 40 − 31 = 9
    expect(narrow.p90).toBeCloseTo(3, 9); // 60 + 30 = 90
    const wide = conformalShift(days(0, 200));
    expect(wide.p10).toBeCloseTo(0.9, 9);
    expect(wide.p90).toBeCloseTo(-11, 9);
  });

  it('does not move the band on too few days', () => {
    const few = Array.from({ length: 29 }, (_, i) => ({
      date: addDays('2024-03-01', -1 - (i % 20)),
      p10: 5,
      p90: 6,
      sold: 100,
      level: 1,
    }));
    expect(conformalShift(few)).toEqual(noShift);
    expect(bandShift(few, '2024-03-01')).toEqual(noShift);
  });
});

/** Days of one bakery with `products` products: sales around `demand(day)`, a fixed band 80…120. */
function history(
  to: string,
  days: number,
  demand: (day: number) => number,
  products = 5,
  seed = 7,
): CalibrationPoint[] {
  const random = seededRandom(seed);
  const out: CalibrationPoint[] = [];
  for (let d = days; d >= 1; d--)
    for (let k = 0; k < products; k++)
      out.push({
        date: addDays(to, -d),
        p10: 80,
        p90: 120,
        sold: Math.round(demand(days - d) + 30 * (random() - 0.5)),
        level: 100,
      });
  return out;
}

describe('band shift of a day', () => {
  const day = '2024-06-01';
  const since = (points: CalibrationPoint[], days: number) =>
    points.filter((p) => p.date >= addDays(day, -days));

  it('calibrates on the last week when a week holds 100 product-days', () => {
    const points = history(day, calibrationWindowDays, (d) => 90 + d, 20);
    expect(calibrationWindow(points, day)).toEqual(since(points, calibrationMinDays));
    expect(bandShift(points, day)).toEqual(conformalShift(since(points, 7)));
  });

  it('widens the window until it holds 100 product-days, up to 28 days', () => {
    // Five products: 20 days hold 100; three: 28 days hold only 84.
    const five = history(day, 40, () => 100, 5);
    expect(calibrationPointsWanted).toBe(100);
    expect(calibrationWindow(five, day)).toEqual(since(five, 20));
    const three = history(day, 40, () => 100, 3);
    expect(calibrationWindow(three, day)).toEqual(since(three, calibrationWindowDays));
    // Days without forecasts (a closed week) do not count towards the 100.
    const gap = five.filter((p) => p.date < addDays(day, -7) || p.date >= addDays(day, -3));
    expect(calibrationWindow(gap, day)).toEqual(since(gap, 24));
  });

  it('reads only the days before the day, in any order', () => {
    const points = history(day, calibrationWindowDays, (d) => 90 + d);
    const noise = [
      ...history(addDays(day, -calibrationWindowDays), 10, () => 500),
      ...history(addDays(day, 10), 10, () => 500),
    ];
    expect(bandShift([...noise, ...points].reverse(), day)).toEqual(bandShift(points, day));
  });

  it('follows demand that drifts above the band closer than a 28-day window does', () => {
    // Sales climb by one unit a day: a window lags the trend by half its length, so the
    // 28-day conformal p90 misses more than 10 % of days; the last week lags far less.
    const rising = (d: number) => 100 + d;
    const coverage = (shiftOf: (points: CalibrationPoint[], date: string) => BandShift) => {
      let below = 0;
      let n = 0;
      for (let t = 0; t < 40; t++) {
        const date = addDays(day, t);
        const shift = shiftOf(history(date, calibrationWindowDays + t, rising, 20, 3), date);
        // The day's sales, one step further up the trend.
        const sales = rising(calibrationWindowDays + t);
        for (const offset of [-10, -5, 0, 5, 10]) {
          n++;
          if (sales + offset < 120 + shift.p90 * 100) below++;
        }
      }
      return below / n;
    };
    const month = coverage((points, date) =>
      conformalShift(points.filter((p) => p.date >= addDays(date, -calibrationWindowDays))),
    );
    const week = coverage(bandShift);
    // Deterministic (seeded): 58.5 % of days below the 28-day p90, 80 % below the last week's.
    expect(month).toBeLessThan(0.65);
    expect(week).toBeGreaterThan(0.75);
  });
});

describe('the band shifted', () => {
  it('stays ordered and non-negative whatever the shift', () => {
    const band = fc
      .array(fc.double({ min: 0, max: 500, noNaN: true }), { minLength: 5, maxLength: 5 })
      .map((v) => v.sort((a, b) => a - b));
    const move = fc.double({ min: -50, max: 50, noNaN: true });
    fc.assert(
      fc.property(
        band,
        move,
        move,
        fc.double({ min: 0.1, max: 100, noNaN: true }),
        (v, a, b, l) => {
          const q = { p10: v[0]!, p25: v[1]!, p50: v[2]!, p75: v[3]!, p90: v[4]! };
          const s = shiftBand(q, { p10: a, p90: b }, l);
          expect(s.p10).toBeGreaterThanOrEqual(0);
          expect(s.p10).toBeLessThanOrEqual(s.p25);
          expect(s.p75).toBeLessThanOrEqual(s.p90);
          expect([s.p25, s.p50, s.p75]).toEqual([q.p25, q.p50, q.p75]);
        },
      ),
    );
  });
});
