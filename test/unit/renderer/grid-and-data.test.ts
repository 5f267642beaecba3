import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { nextCell } from '../../../renderer/src/lib/grid-nav.ts';
import { groupByDate, totalsByDate } from '../../../renderer/src/lib/history.ts';
import { amountText, parseAmount } from '../../../renderer/src/lib/money.ts';

describe('spreadsheet movement', () => {
  const grid = (rows: number, cols: number) =>
    Array.from({ length: rows * cols }, (_, i) => ({ row: Math.floor(i / cols), col: i % cols }));

  it('moves down and up the same column and stops at the edges', () => {
    const cells = grid(3, 4);
    expect(nextCell(cells, { row: 0, col: 2 }, 'down')).toEqual({ row: 1, col: 2 });
    expect(nextCell(cells, { row: 2, col: 2 }, 'up')).toEqual({ row: 1, col: 2 });
    expect(nextCell(cells, { row: 2, col: 2 }, 'down')).toBeNull();
    expect(nextCell(cells, { row: 0, col: 0 }, 'up')).toBeNull();
  });

  it('falls back to the nearest column on the left where a row lacks the column', () => {
    const cells = [...grid(1, 7), ...grid(2, 5).filter((c) => c.row === 1)];
    expect(nextCell(cells, { row: 0, col: 6 }, 'down')).toEqual({ row: 1, col: 4 });
  });

  it('always lands on an existing cell in the neighbouring row', () => {
    fc.assert(
      fc.property(fc.integer({ min: 2, max: 12 }), fc.integer({ min: 1, max: 8 }), (rows, cols) => {
        const cells = grid(rows, cols);
        for (const cell of cells) {
          const down = nextCell(cells, cell, 'down');
          if (cell.row === rows - 1) expect(down).toBeNull();
          else expect(down).toEqual({ row: cell.row + 1, col: cell.col });
        }
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
