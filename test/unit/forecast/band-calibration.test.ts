import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  adaptationRate,
  bandShift,
  calibrationHistoryDays,
  calibrationWindowDays,
  conformalShift,
  noShift,
  shiftBand,
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

describe('adaptive band shift', () => {
  const day = '2024-06-01';

  it('is the conformal shift of the window before the day when the levels do not adapt', () => {
    const points = history(day, calibrationHistoryDays, () => 100);
    const from = addDays(day, -calibrationWindowDays);
    expect(bandShift(points, day, 0)).toEqual(conformalShift(points.filter((p) => p.date >= from)));
  });

  it('reads only the history days before the day, in any order', () => {
    const points = history(day, calibrationHistoryDays, (d) => 90 + d);
    const noise = [
      ...history(addDays(day, -calibrationHistoryDays), 10, () => 500),
      ...history(addDays(day, 10), 10, () => 500),
    ];
    const shift = bandShift(points, day);
    expect(bandShift([...noise, ...points].reverse(), day)).toEqual(shift);
  });

  it('follows demand that drifts above the band further than a fixed-level window does', () => {
    // Sales climb by one unit a day: each window lags the trend, so the plain conformal p90
    // misses more than 10 % of days; the adapted levels widen it.
    const rising = (d: number) => 100 + d;
    const at = (rate: number) => {
      let below = 0;
      let n = 0;
      for (let t = 0; t < 40; t++) {
        const date = addDays(day, t);
        const points = history(date, calibrationHistoryDays + t, rising, 5, 3).filter(
          (p) => p.date >= addDays(date, -calibrationHistoryDays),
        );
        const shift = bandShift(points, date, rate);
        // Tomorrow's sales, one step further up the trend.
        const tomorrow = rising(calibrationHistoryDays + t);
        for (const offset of [-10, -5, 0, 5, 10]) {
          n++;
          if (tomorrow + offset < 120 + shift.p90 * 100) below++;
        }
      }
      return below / n;
    };
    const fixed = at(0);
    const adapted = at(adaptationRate);
    // Deterministic (seeded): about half the days below p90 with fixed levels, ~90 % adapted.
    expect(fixed).toBeLessThan(0.7);
    expect(adapted).toBeGreaterThan(0.85);
  });

  it('keeps the levels near their targets in steady demand', () => {
    const points = history(day, calibrationHistoryDays, () => 100, 10);
    const fixed = bandShift(points, day, 0);
    const adapted = bandShift(points, day);
    expect(Math.abs(adapted.p90 - fixed.p90)).toBeLessThan(0.05);
    expect(Math.abs(adapted.p10 - fixed.p10)).toBeLessThan(0.05);
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
