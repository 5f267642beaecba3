import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { dayText, parseDayText } from '../../../renderer/src/lib/date-text.ts';
import { nextCell } from '../../../renderer/src/lib/grid-nav.ts';
import { groupByDate, totalsByDate, wasteSummary } from '../../../renderer/src/lib/history.ts';
import { amountText, parseAmount } from '../../../renderer/src/lib/money.ts';

describe('spreadsheet movement', () => {
  const grid = (rows: number, cols: number) =>
    Array.from({ length: rows * cols }, (_, i) => ({ row: Math.floor(i / cols), col: i % cols }));

  it('moves down and up a column, and on from the last row to the top of the next column', () => {
    const cells = grid(3, 3);
    expect(nextCell(cells, { row: 0, col: 2 }, 'down')).toEqual({ row: 1, col: 2 });
    expect(nextCell(cells, { row: 2, col: 1 }, 'up')).toEqual({ row: 1, col: 1 });
    expect(nextCell(cells, { row: 2, col: 0 }, 'down')).toEqual({ row: 0, col: 1 });
    expect(nextCell(cells, { row: 0, col: 1 }, 'up')).toEqual({ row: 2, col: 0 });
    expect(nextCell(cells, { row: 2, col: 2 }, 'down')).toBeNull();
    expect(nextCell(cells, { row: 0, col: 0 }, 'up')).toBeNull();
  });

  it('keeps arrow keys inside their column', () => {
    const cells = grid(3, 3);
    expect(nextCell(cells, { row: 2, col: 0 }, 'down', false)).toBeNull();
    expect(nextCell(cells, { row: 0, col: 1 }, 'up', false)).toBeNull();
    expect(nextCell(cells, { row: 1, col: 1 }, 'down', false)).toEqual({ row: 2, col: 1 });
  });

  it('visits every cell exactly once column by column, and back the same way', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 40 }), fc.integer({ min: 1, max: 4 }), (rows, cols) => {
        const cells = grid(rows, cols);
        const walk = (start: { row: number; col: number }, move: 'down' | 'up') => {
          const seen = [start];
          for (let next = nextCell(cells, start, move); next; next = nextCell(cells, next, move))
            seen.push(next);
          return seen;
        };
        const down = walk({ row: 0, col: 0 }, 'down');
        expect(down).toHaveLength(rows * cols);
        expect(down.map((c) => c.col * rows + c.row)).toEqual(cells.map((_, i) => i));
        expect(walk(down.at(-1)!, 'up')).toEqual([...down].reverse());
      }),
    );
  });
});

describe('amounts as typed', () => {
  it('reads both decimal styles and refuses anything else', () => {
    expect(parseAmount('1,20')).toBe(1.2);
    expect(parseAmount('1.20')).toBe(1.2);
    expect(parseAmount(' 3 ')).toBe(3);
    expect(parseAmount('')).toBeNull();
    for (const bad of ['-1', '1.2.3', '1,20 €', 'abc', '1e2']) expect(parseAmount(bad)).toBeNaN();
  });

  it('round-trips every cent amount in either style', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 99_999_999 }),
        fc.constantFrom('.', ','),
        (cents, sep) => {
          const value = cents / 100;
          expect(parseAmount(amountText(value, sep))).toBeCloseTo(value, 10);
        },
      ),
    );
  });
});

describe('history totals', () => {
  it('sums products per day and computes the waste rate only over known waste', () => {
    const totals = totalsByDate([
      { points: [{ date: '2026-11-02', sold: 10, wasted: 2, wasteRate: 2 / 12 }] },
      {
        points: [
          { date: '2026-11-02', sold: 30, wasted: null, wasteRate: null },
          { date: '2026-11-01', sold: 5, wasted: null, wasteRate: null },
        ],
      },
    ]);
    expect(totals).toEqual([
      { date: '2026-11-01', sold: 5, wasted: null, wasteRate: null },
      { date: '2026-11-02', sold: 40, wasted: 2, wasteRate: 2 / 12 },
    ]);
  });

  it('groups rows per day, newest first', () => {
    const groups = groupByDate([
      { date: '2026-11-01', id: 1 },
      { date: '2026-11-03', id: 2 },
      { date: '2026-11-01', id: 3 },
    ]);
    expect(groups.map((g) => [g.date, g.rows.map((r) => r.id)])).toEqual([
      ['2026-11-03', [2]],
      ['2026-11-01', [1, 3]],
    ]);
  });
});

describe('waste summary', () => {
  const row = fc.record({
    product: fc.integer({ min: 1, max: 5 }),
    sold: fc.integer({ min: 0, max: 200 }),
    wasted: fc.option(fc.integer({ min: 0, max: 40 }), { nil: null }),
  });

  it('is exactly the total of the per-product figures', () => {
    fc.assert(
      fc.property(fc.array(row, { maxLength: 60 }), (rows) => {
        const overall = wasteSummary(rows);
        const products = [...new Set(rows.map((r) => r.product))].map((id) =>
          wasteSummary(rows.filter((r) => r.product === id)),
        );
        expect(overall.sold).toBe(products.reduce((sum, p) => sum + p.sold, 0));
        const known = products.filter((p) => p.wasted !== null);
        expect(overall.wasted).toBe(
          known.length ? known.reduce((sum, p) => sum + p.wasted!, 0) : null,
        );
        const rates = products.flatMap((p) => (p.rate === null ? [] : [p.rate]));
        if (overall.rate !== null) {
          expect(overall.rate).toBeGreaterThanOrEqual(Math.min(...rates) - 1e-12);
          expect(overall.rate).toBeLessThanOrEqual(Math.max(...rates) + 1e-12);
        } else expect(rates).toEqual([]);
      }),
    );
  });

  it('leaves days without a waste count out of the rate instead of counting them as no waste', () => {
    const tillYears = Array.from({ length: 1000 }, () => ({ sold: 100, wasted: null }));
    const entered = [
      { sold: 95, wasted: 5 },
      { sold: 94, wasted: 6 },
    ];
    expect(wasteSummary([...tillYears, ...entered])).toEqual({
      sold: 100_189,
      wasted: 11,
      rate: 11 / 200,
    });
  });
});

describe('days as the shop language writes them', () => {
  it('writes and reads back every day in en-GB, de-DE, fr-FR and en-US order', () => {
    fc.assert(
      fc.property(
        fc.date({ min: new Date('1990-01-01'), max: new Date('2090-12-31'), noInvalidDate: true }),
        fc.constantFrom('en-GB', 'de-DE', 'fr-FR', 'en-US'),
        (date, tag) => {
          const iso = date.toISOString().slice(0, 10);
          expect(parseDayText(dayText(iso, tag), tag)).toBe(iso);
        },
      ),
    );
  });

  it('reads the language order and ISO, and refuses days that do not exist', () => {
    expect(dayText('2026-11-20', 'de-DE')).toBe('20.11.2026');
    expect(parseDayText('3.4.2024', 'de-DE')).toBe('2024-04-03');
    expect(parseDayText('03/04/2024', 'fr-FR')).toBe('2024-04-03');
    expect(parseDayText('03/04/2024', 'en-US')).toBe('2024-03-04');
    expect(parseDayText('2024-04-03', 'fr-FR')).toBe('2024-04-03');
    for (const bad of ['31.02.2024', '12.13.2024', '1.1.24', 'morgen', '1/2'])
      expect(parseDayText(bad, 'de-DE')).toBeNull();
  });
});
