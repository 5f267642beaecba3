import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { afterAll, describe, expect, it } from 'vitest';
import { addDays } from '../../../federated/calendar/dates.ts';
import { scoredDays } from '../../../electron/forecast/day-ahead-scoring.ts';
import { loadBakeries } from '../../../simulation/bakeries.ts';
import { dayForecasts, writeForecasts } from '../../../simulation/forecasts-file.ts';

const dir = mkdtempSync(join(tmpdir(), 'breadcast-forecasts-file-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('the forecasts file', () => {
  it("writes each scored day's level, which band calibration scales the scores by", () => {
    // Two products over ten weeks, sales rising so the 28-day level moves from day to day.
    const lines = ['date,product,sold'];
    for (let d = 0; d < 70; d++)
      for (const [product, base] of [
        ['rye', 20],
        ['spelt', 5],
      ] as const)
        lines.push(`${addDays('2024-01-01', d)},${product},${base + Math.floor(d / 3)}`);
    const csv = join(dir, 'bakery.csv');
    writeFileSync(csv, lines.join('\n'));
    const [bakery] = loadBakeries([csv], { holdoutDays: 14 });
    const days = scoredDays(bakery!.products, bakery!.firstHoldout);
    expect(days.length).toBeGreaterThan(20);

    const out = join(dir, 'forecasts.csv');
    writeForecasts(out, dayForecasts([bakery!], new Map([[bakery!.id, days]]), new Map()));
    const rows = parse(readFileSync(out, 'utf8'), { columns: true }) as Record<string, string>[];
    expect(rows).toHaveLength(days.length);
    rows.forEach((row, i) => {
      expect(row.date).toBe(days[i]!.date);
      expect(Number(row.level)).toBeCloseTo(days[i]!.level, 3);
      expect(Number(row.level)).toBeGreaterThan(0);
    });
    expect(new Set(rows.map((r) => r.level)).size).toBeGreaterThan(2);
  });
});
