import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { addDays, dayNumber, weekdayIndex } from '../../../federated/calendar/dates.ts';
import {
  generateBakery,
  readLogRows,
  writeLogRows,
  type LogRow,
} from '../../../simulation/generate/large-bakery.ts';
import { main } from '../../../cli/main.ts';
import { captureIo } from '../../support/cli-io.ts';

const dir = mkdtempSync(join(tmpdir(), 'breadcast-generate-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/**
 * A small real-looking source: 400 days from a Monday, closed on Sundays, one holiday;
 * bread sells 100 on weekdays and 160 on Saturdays, cake 20 (40 on Saturdays), tart 5.
 */
function source(): LogRow[] {
  const rows: LogRow[] = [];
  const levels: Record<string, [number, number]> = {
    bread: [100, 160],
    cake: [20, 40],
    tart: [5, 5],
  };
  for (let i = 0; i < 400; i++) {
    const date = addDays('2021-01-04', i);
    const weekday = weekdayIndex(dayNumber(date));
    for (const [product, [weekdays, saturday]] of Object.entries(levels)) {
      const closed = weekday === 6;
      rows.push({
        date,
        product,
        sold: closed ? 0 : weekday === 5 ? saturday : weekdays,
        closed,
        holiday: date === '2021-05-13',
        unitPrice: product === 'bread' ? 1.1 : null,
      });
    }
  }
  return rows;
}

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

describe('generateBakery', () => {
  const options = { products: 8, years: 3, seed: 7 };

  it('is deterministic under its seed and differs across seeds', () => {
    const a = generateBakery(source(), options);
    expect(generateBakery(source(), options)).toEqual(a);
    const b = generateBakery(source(), { ...options, seed: 8 });
    expect(b.map((r) => r.sold)).not.toEqual(a.map((r) => r.sold));
  });

  it('spans the years asked, ending on the source’s last day, every product every day', () => {
    const rows = generateBakery(source(), options);
    const dates = [...new Set(rows.map((r) => r.date))].sort();
    expect(dates.at(-1)).toBe(addDays('2021-01-04', 399));
    expect(dates).toHaveLength(Math.round(3 * 365.25));
    expect(dayNumber(dates.at(-1)!) - dayNumber(dates[0]!) + 1).toBe(dates.length);
    const products = [...new Set(rows.map((r) => r.product))].sort();
    expect(products).toEqual([
      'bread',
      'bread B',
      'bread C',
      'cake',
      'cake B',
      'cake C',
      'tart',
      'tart B',
    ]);
    expect(rows).toHaveLength(products.length * dates.length);
  });

  it('keeps the weekday shape, the closures and the levels of the source', () => {
    const rows = generateBakery(source(), options);
    const weekday = (r: LogRow) => weekdayIndex(dayNumber(r.date));
    for (const r of rows) {
      expect(r.closed).toBe(weekday(r) === 6);
      if (r.closed) expect(r.sold).toBe(0);
    }
    const bread = rows.filter((r) => r.product === 'bread' && !r.closed);
    const weekdays = mean(bread.filter((r) => weekday(r) < 5).map((r) => r.sold));
    const saturdays = mean(bread.filter((r) => weekday(r) === 5).map((r) => r.sold));
    // Yearly drift of a few per cent around the source's level, and Saturdays well above.
    expect(weekdays).toBeGreaterThan(70);
    expect(weekdays).toBeLessThan(140);
    expect(saturdays / weekdays).toBeGreaterThan(1.4);
    expect(saturdays / weekdays).toBeLessThan(1.8);
    // Counts vary from day to day (Poisson around the copied count), as real counts do.
    expect(new Set(bread.filter((r) => weekday(r) < 5).map((r) => r.sold)).size).toBeGreaterThan(
      20,
    );
    // Variants sell 40–90 % of their source.
    for (const name of ['bread B', 'bread C']) {
      const variant = rows.filter((r) => r.product === name && !r.closed);
      const ratio = mean(variant.map((r) => r.sold)) / mean(bread.map((r) => r.sold));
      expect(ratio).toBeGreaterThan(0.3);
      expect(ratio).toBeLessThan(1.05);
    }
    expect(rows.find((r) => r.product === 'bread B')!.unitPrice).toBe(1.1);
    expect(rows.find((r) => r.product === 'cake')!.unitPrice).toBeNull();
  });

  it('refuses a source shorter than two weeks', () => {
    expect(() => generateBakery(source().slice(0, 30), options)).toThrow(/two weeks/);
  });

  it('round-trips through the CSV it writes, and the CLI writes the same file', async () => {
    const from = join(dir, 'source.csv');
    writeLogRows(from, source());
    expect(readLogRows(from)).toEqual(source());
    const out = join(dir, 'large.csv');
    const io = captureIo();
    const args = ['generate-bakery', '--from', from, '--out', out, '--products', '8'];
    expect(await main([...args, '--years', '3', '--seed', '7'], io)).toBe(0);
    expect(io.stdout).toEqual([`Wrote ${out}: 8 products × 1096 days (8768 rows).`]);
    expect(readLogRows(out)).toEqual(generateBakery(source(), options));
  });
});
