import type Database from 'better-sqlite3';
import type { Db } from '../../store/database.ts';
import { carriedOverSeries, type StockDay } from '../carry-over.ts';
import { nameKey } from '../products.ts';
import type { ImportPlan, PlannedRow } from './importer.ts';

/** The edit trail names fields as the API does (soldOut, not sold_out). */
const fieldNames: Record<string, string> = {
  sold_out: 'soldOut',
  sold_out_time: 'soldOutTime',
  waste_reason: 'wasteReason',
  waste_outcome: 'wasteOutcome',
};

type DayFacts = {
  closed: number | null;
  holiday: number | null;
  holidayName: string | null;
  temperature: number | null;
  rain: number | null;
};

/** Writes a checked plan in one transaction with prepared statements (33k rows in well under a second). */
export function writePlan(
  db: Db,
  plan: ImportPlan,
  options: { now: Date; calendarHoliday: (date: string) => string | null },
): void {
  const stamp = options.now.toISOString();
  const hasHolidayColumn = plan.analysis.columns?.index.holiday !== undefined;
  db.transaction(() => {
    const ids = new Map<string, number>();
    const hadLogs = new Set<number>();
    const insertProduct = db.prepare(
      `INSERT INTO products (name, name_key, category, shelf_life_days, unit_price, unit_cost, par_levels, active, created_at, updated_at)
       VALUES (?, ?, ?, ?, ?, ?, NULL, 1, ?, ?)`,
    );
    const fillPrices = db.prepare(
      `UPDATE products SET unit_price = coalesce(unit_price, ?), unit_cost = coalesce(unit_cost, ?), updated_at = ? WHERE id = ?`,
    );
    const anyLog = db.prepare<[number], { one: number }>(
      'SELECT 1 AS one FROM daily_logs WHERE product_id = ? LIMIT 1',
    );
    const used = new Set(plan.rows.map((r) => r.key));
    for (const key of used) {
      const facts = plan.analysis.products.get(key);
      const known = plan.existing.get(key);
      if (known) {
        ids.set(key, known.id);
        if (anyLog.get(known.id)) hadLogs.add(known.id);
        if (facts?.unitPrice || facts?.unitCost)
          fillPrices.run(
            facts.unitPrice?.value ?? null,
            facts.unitCost?.value ?? null,
            stamp,
            known.id,
          );
        continue;
      }
      const name = facts?.name ?? key;
      const result = insertProduct.run(
        name,
        nameKey(name),
        facts?.category ?? 'other',
        facts?.shelfLifeDays ?? 1,
        facts?.unitPrice?.value ?? null,
        facts?.unitCost?.value ?? null,
        stamp,
        stamp,
      );
      ids.set(key, Number(result.lastInsertRowid));
    }

    const days = new Map<string, DayFacts>();
    for (const row of plan.rows) collectDay(days, row);
    const upsertDay = db.prepare(
      `INSERT INTO day_context (date, closed, holiday, holiday_name, temperature, rain)
       VALUES (@date, coalesce(@closed, 0), coalesce(@holiday, 0), @holidayName, @temperature, @rain)
       ON CONFLICT (date) DO UPDATE SET
         closed = coalesce(@closed, closed),
         holiday = coalesce(@holiday, holiday),
         holiday_name = CASE WHEN @holiday IS NULL THEN holiday_name ELSE @holidayName END,
         temperature = coalesce(@temperature, temperature),
         rain = coalesce(@rain, rain)`,
    );
    for (const [date, facts] of days) {
      const calendarName = options.calendarHoliday(date);
      if (!hasHolidayColumn) {
        facts.holiday = calendarName === null ? null : 1;
        facts.holidayName = calendarName;
      } else if (facts.holiday === 1) facts.holidayName = calendarName;
      upsertDay.run({ date, ...facts });
    }

    const previous = db.prepare<[string, number], Record<string, unknown>>(
      'SELECT * FROM daily_logs WHERE date = ? AND product_id = ?',
    );
    const recordEdit = db.prepare(
      'INSERT INTO log_edits (date, product_id, field, old_value, new_value, edited_at) VALUES (?, ?, ?, ?, ?, ?)',
    );
    const upsertLog = db.prepare(
      `INSERT INTO daily_logs (date, product_id, baked, sold, wasted, carried_over, sold_out, sold_out_time,
         waste_reason, waste_outcome, note, updated_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (date, product_id) DO UPDATE SET baked = excluded.baked, sold = excluded.sold,
         wasted = excluded.wasted, carried_over = excluded.carried_over, sold_out = excluded.sold_out,
         sold_out_time = excluded.sold_out_time, waste_reason = excluded.waste_reason,
         waste_outcome = excluded.waste_outcome, note = excluded.note, updated_at = excluded.updated_at`,
    );
    const multiDay = new Set<number>();
    for (const row of plan.rows) {
      const productId = ids.get(row.key) as number;
      if (hadLogs.has(productId)) recordEdits(previous, recordEdit, row, productId, stamp);
      upsertLog.run(
        row.date,
        productId,
        row.baked,
        row.sold,
        row.wasted,
        row.carriedOver,
        row.soldOut ? 1 : 0,
        row.soldOutTime,
        row.wasteReason,
        row.wasteOutcome,
        row.note,
        stamp,
      );
      if (row.carriedOver > 0 || row.baked !== null) multiDay.add(productId);
    }
    refreshStoredCarry(db, [...multiDay]);
  })();
}

type Statement = Database.Statement<unknown[]>;

/** An import over existing rows leaves the same edit trail as editing them by hand. */
function recordEdits(
  previous: Statement,
  recordEdit: Statement,
  row: PlannedRow,
  productId: number,
  stamp: string,
): void {
  const before = previous.get(row.date, productId) as Record<string, unknown> | undefined;
  if (!before) return;
  const after: Record<string, unknown> = {
    baked: row.baked,
    sold: row.sold,
    wasted: row.wasted,
    sold_out: row.soldOut ? 1 : 0,
    sold_out_time: row.soldOutTime,
    waste_reason: row.wasteReason,
    waste_outcome: row.wasteOutcome,
    note: row.note,
  };
  const text = (v: unknown) => (v === null || v === undefined ? null : String(v));
  for (const [column, value] of Object.entries(after)) {
    if (text(before[column]) !== text(value))
      recordEdit.run(
        row.date,
        productId,
        fieldNames[column] ?? column,
        text(before[column]),
        text(value),
        stamp,
      );
  }
}

function collectDay(days: Map<string, DayFacts>, row: PlannedRow): void {
  let facts = days.get(row.date);
  if (!facts) {
    facts = { closed: null, holiday: null, holidayName: null, temperature: null, rain: null };
    days.set(row.date, facts);
  }
  if (row.closed !== null) facts.closed = Math.max(facts.closed ?? 0, row.closed ? 1 : 0);
  if (row.holiday !== null) facts.holiday = Math.max(facts.holiday ?? 0, row.holiday ? 1 : 0);
  facts.temperature ??= row.temperature;
  facts.rain ??= row.rain;
}

/** Stored carried-over counts of multi-day products follow the whole, now larger, history. */
function refreshStoredCarry(db: Db, productIds: number[]): void {
  const shelfLife = db.prepare<[number], { s: number }>(
    'SELECT shelf_life_days AS s FROM products WHERE id = ?',
  );
  const history = db.prepare<[number], StockDay>(
    'SELECT date, baked, sold, wasted FROM daily_logs WHERE product_id = ? ORDER BY date',
  );
  const update = db.prepare(
    'UPDATE daily_logs SET carried_over = ? WHERE product_id = ? AND date = ?',
  );
  for (const id of productIds) {
    const life = shelfLife.get(id)?.s ?? 1;
    if (life <= 1) continue;
    const days = history.all(id);
    carriedOverSeries(days, life).forEach((carried, i) => update.run(carried, id, days[i]?.date));
  }
}
