import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  bandShift,
  noShift,
  shiftBand,
  type CalibrationPoint,
} from '../../../federated/decisions/band-calibration.ts';

const point = fc.record({
  p10: fc.double({ min: 0, max: 50, noNaN: true }),
  width: fc.double({ min: 0, max: 100, noNaN: true }),
  sold: fc.integer({ min: 0, max: 200 }),
  level: fc.double({ min: 1, max: 80, noNaN: true }),
});
const points = fc
  .array(point, { minLength: 30, maxLength: 300 })
  .map((ps) => ps.map((p) => ({ p10: p.p10, p90: p.p10 + p.width, sold: p.sold, level: p.level })));

const shareBelow = (ps: CalibrationPoint[], edge: (p: CalibrationPoint) => number) =>
  ps.filter((p) => p.sold < edge(p)).length / ps.length;

describe('band calibration', () => {
  it('puts 10 % of the calibration days below the new p10 and 90 % below the new p90', () => {
    fc.assert(
      fc.property(points, (ps) => {
        const shift = bandShift(ps);
        // The edge itself is one of the days' outcomes, so the share is at most the target and
        // short of it only by ties and by the one day at the edge.
        const lo = shareBelow(ps, (p) => p.p10 + shift.p10 * p.level - 1e-9);
        const hi = shareBelow(ps, (p) => p.p90 + shift.p90 * p.level - 1e-9);
        expect(lo).toBeLessThanOrEqual(0.1 + 1e-12);
        expect(hi).toBeLessThanOrEqual(0.9 + 1e-12);
        // …and at least that share at or below it: the edge is not loose.
        const atLo = shareBelow(ps, (p) => p.p10 + shift.p10 * p.level + 1e-9);
        const atHi = shareBelow(ps, (p) => p.p90 + shift.p90 * p.level + 1e-9);
        expect(atLo).toBeGreaterThanOrEqual(0.1);
        expect(atHi).toBeGreaterThanOrEqual(0.9);
      }),
    );
  });

  it('widens a band that is too narrow and narrows one that is too wide', () => {
    // Sales spread evenly over 0…99 at level 10; a band 40…60 is too narrow, 0…200 too wide.
    const days = (p10: number, p90: number) =>
      Array.from({ length: 100 }, (_, sold) => ({ p10, p90, sold, level: 10 }));
    const narrow = bandShift(days(40, 60));
    expect(narrow.p10).toBeCloseTo(-3, 9); // 40 − 30 = 10: the 10 % point of 0…99
    expect(narrow.p90).toBeCloseTo(3, 9); // 60 + 30 = 90
    const wide = bandShift(days(0, 200));
    expect(wide.p10).toBeCloseTo(1, 9);
    expect(wide.p90).toBeCloseTo(-11, 9);
  });

  it('does not move the band on too few days', () => {
    const few = Array.from({ length: 29 }, () => ({ p10: 5, p90: 6, sold: 100, level: 1 }));
    expect(bandShift(few)).toEqual(noShift);
  });

  it('keeps the band ordered and non-negative whatever the shift', () => {
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
