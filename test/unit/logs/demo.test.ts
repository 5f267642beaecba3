import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createDemoDatabase } from '../../../electron/logs/demo.ts';

type Row = { date: string; sold: number };
const dayMs = 86_400_000;

describe('demo bakery moved to recent dates', () => {
  it('ends in the week before now, keeps every weekday and figure, and re-applies the holiday calendar', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'breadcast-demo-'));
    const now = new Date('2026-11-27T09:00:00Z');
    const original = (await createDemoDatabase(join(dir, 'a.sqlite'), { now })).db;
    const moved = (await createDemoDatabase(join(dir, 'b.sqlite'), { now, moveToRecent: true })).db;
    const rows = (db: typeof original) =>
      db.prepare<[], Row>('SELECT date, sold FROM daily_logs ORDER BY date, product_id').all();
    const before = rows(original);
    const after = rows(moved);

    expect(after).toHaveLength(before.length);
    const last = after.at(-1)!.date;
    expect(last >= '2026-11-20' && last <= '2026-11-26').toBe(true);
    const shifts = new Set(
      before.map((row, i) => (Date.parse(after[i]!.date) - Date.parse(row.date)) / dayMs),
    );
    expect(shifts.size).toBe(1);
    expect([...shifts][0]! % 7).toBe(0);
    expect(after.map((r) => r.sold)).toEqual(before.map((r) => r.sold));

    const holiday = (db: typeof original, date: string) =>
      db
        .prepare<[string], { holiday: number }>('SELECT holiday FROM day_context WHERE date = ?')
        .get(date)?.holiday;
    expect(holiday(moved, '2025-12-25')).toBe(1);
    expect(holiday(moved, '2026-10-03')).toBe(1); // German Unity Day, a public holiday in NW
    original.close();
    moved.close();
  });
});
