import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  carriedOverOn,
  carriedOverSeries,
  type StockDay,
} from '../../../electron/logs/carry-over.ts';
import { addDays } from '../../../federated/calendar/dates.ts';
import { validateRow, type RowDraft } from '../../../electron/logs/validation.ts';

const count = fc.integer({ min: 0, max: 5000 });

describe('validateRow', () => {
  it('accepts every whole, non-negative row whose sold + wasted fit baked + carried over', () => {
    fc.assert(
      fc.property(count, count, count, count, (a, b, c, carried) => {
        const [sold, wasted] = [a, b];
        const baked = Math.max(0, sold + wasted - carried) + c;
        expect(validateRow({ baked, sold, wasted, soldOut: false }, carried)).toEqual([]);
      }),
    );
  });

  it('refuses sold + wasted above baked + carried over, with a message on sold', () => {
    fc.assert(
      fc.property(
        count,
        count,
        count,
        fc.integer({ min: 1, max: 100 }),
        (baked, carried, wasted, extra) => {
          const sold = Math.max(0, baked + carried - wasted) + extra;
          const issues = validateRow({ baked, sold, wasted, soldOut: false }, carried);
          expect(issues.map((i) => i.path)).toContain('sold');
          expect(issues.find((i) => i.path === 'sold')?.reason).toEqual({
            code: 'entry.moreThanStock',
            params: { sold, wasted: wasted || null, baked, carriedOver: carried },
          });
        },
      ),
    );
  });

  it('names the field of a negative, fractional or non-finite count and never fixes it', () => {
    const bad = fc.oneof(
      fc.integer({ min: -1000, max: -1 }),
      fc.double({ min: 0.001, max: 999, noInteger: true, noNaN: true }),
      fc.constantFrom(Number.NaN, Number.POSITIVE_INFINITY),
    );
    fc.assert(
      fc.property(
        fc.constantFrom('baked', 'sold', 'wasted') as fc.Arbitrary<'baked' | 'sold' | 'wasted'>,
        bad,
        (field, value) => {
          const row: RowDraft = { baked: 10, sold: 1, wasted: 1, soldOut: false, [field]: value };
          const issues = validateRow(row, 0);
          expect(issues).toHaveLength(1);
          expect(issues[0]?.path).toBe(field);
          expect(issues[0]?.reason).toEqual({
            code:
              value < 0
                ? 'entry.negative'
                : Number.isFinite(value)
                  ? 'entry.notWhole'
                  : 'entry.notANumber',
            params: { field },
          });
          expect(row[field]).toBe(value);
        },
      ),
    );
  });

  it('skips the stock rule when baked is unknown (POS imports)', () => {
    expect(validateRow({ baked: null, sold: 500, wasted: null, soldOut: false }, 0)).toEqual([]);
  });

  it('checks the sold-out time and the waste reason against the counts', () => {
    const base = { baked: 10, sold: 10, wasted: 0 };
    expect(validateRow({ ...base, soldOut: true, soldOutTime: '25:00' }, 0)[0]?.path).toBe(
      'soldOutTime',
    );
    expect(validateRow({ ...base, soldOut: false, soldOutTime: '14:30' }, 0)[0]?.reason).toEqual({
      code: 'entry.timeWithoutSoldOut',
      params: {},
    });
    expect(validateRow({ ...base, soldOut: true, soldOutTime: '14:30' }, 0)).toEqual([]);
    expect(validateRow({ ...base, soldOut: false, wasteReason: 'damaged' }, 0)[0]?.path).toBe(
      'wasteReason',
    );
    expect(
      validateRow(
        {
          baked: 10,
          sold: 8,
          wasted: 2,
          soldOut: false,
          wasteReason: 'damaged',
          wasteOutcome: 'donated',
        },
        0,
      ),
    ).toEqual([]);
  });
});

const dayArb = fc.record({
  baked: fc.option(fc.integer({ min: 0, max: 50 }), { nil: null, freq: 8 }),
  sold: fc.integer({ min: 0, max: 60 }),
  wasted: fc.option(fc.integer({ min: 0, max: 10 }), { nil: null }),
  gap: fc.integer({ min: 1, max: 3 }),
});

function daysFrom(
  rows: { baked: number | null; sold: number; wasted: number | null; gap: number }[],
): StockDay[] {
  let date = '2024-02-26';
  return rows.map((r) => {
    date = addDays(date, r.gap);
    return { date, baked: r.baked, sold: r.sold, wasted: r.wasted };
  });
}

describe('carried-over stock', () => {
  it('is always zero for products that keep one day', () => {
    fc.assert(
      fc.property(fc.array(dayArb, { maxLength: 30 }), (rows) => {
        expect(carriedOverSeries(daysFrom(rows), 1).every((c) => c === 0)).toBe(true);
      }),
    );
  });

  it('is never negative and never more than what was baked within the shelf life', () => {
    fc.assert(
      fc.property(
        fc.array(dayArb, { maxLength: 40 }),
        fc.integer({ min: 2, max: 7 }),
        (rows, life) => {
          const days = daysFrom(rows);
          carriedOverSeries(days, life).forEach((carried, i) => {
            const day = days[i] as StockDay;
            const recentBakes = days
              .slice(0, i)
              .filter((d) => d.date > addDays(day.date, -life))
              .reduce((sum, d) => sum + (d.baked ?? 0), 0);
            expect(carried).toBeGreaterThanOrEqual(0);
            expect(carried).toBeLessThanOrEqual(recentBakes);
          });
        },
      ),
    );
  });

  it('carries unsold units forward until they expire, oldest sold first', () => {
    const previous: StockDay[] = [
      { date: '2024-03-01', baked: 10, sold: 4, wasted: 0 }, // 6 left, good through 03-03
      { date: '2024-03-02', baked: 5, sold: 7, wasted: 0 }, // sells the 6 old first → 4 of 03-01's...
    ];
    // 03-02: lots 6 (03-01) + 5 (03-02) = 11, sold 7 → 03-01 lot 0, 03-02 lot 4.
    expect(carriedOverOn('2024-03-03', 3, previous)).toBe(4);
    // 03-05: the 03-02 lot (good 03-02..03-04) has expired.
    expect(carriedOverOn('2024-03-05', 3, previous)).toBe(0);
    expect(carriedOverOn('2024-03-02', 2, previous.slice(0, 1))).toBe(6);
  });
});
