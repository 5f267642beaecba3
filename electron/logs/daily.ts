import type {
  DayContext,
  DayRow,
  HistoryRow,
  LogEdit,
  LogEntry,
  SaveRowInput,
} from '../api/contract/logs.ts';
import { ApiError, issueOf } from '../api/dispatcher.ts';
import type { Db } from '../store/database.ts';
import { addDays } from '../../federated/calendar/dates.ts';
import { carriedOverOn, carriedOverSeries, lookbackDays, type StockDay } from './carry-over.ts';
import { isHoliday } from './holidays.ts';
import { getProduct, listProducts } from './products.ts';
import { bakeryDate, getSettings } from './settings.ts';
import { validateRow } from './validation.ts';

type LogRecord = {
  date: string;
  product_id: number;
  baked: number | null;
  sold: number;
  wasted: number | null;
  carried_over: number;
  sold_out: number;
  sold_out_time: string | null;
  waste_reason: LogEntry['wasteReason'];
  waste_outcome: LogEntry['wasteOutcome'];
  note: string | null;
  updated_at: string;
};

function toEntry(record: LogRecord): LogEntry {
  return {
    date: record.date,
    productId: record.product_id,
    baked: record.baked,
    sold: record.sold,
    wasted: record.wasted,
    carriedOver: record.carried_over,
    soldOut: record.sold_out === 1,
    soldOutTime: record.sold_out_time,
    wasteReason: record.waste_reason,
    wasteOutcome: record.waste_outcome,
    note: record.note,
    updatedAt: record.updated_at,
  };
}

type ContextRecord = {
  date: string;
  closed: number;
  holiday: number;
  holiday_name: string | null;
  temperature: number | null;
  rain: number | null;
};

/** The stored day context, or one derived from the holiday calendar when nothing is stored. */
export function dayContextOf(db: Db, date: string): DayContext {
  const record = db
    .prepare<[string], ContextRecord>('SELECT * FROM day_context WHERE date = ?')
    .get(date);
  if (record) return toContext(record);
  const holiday = isHoliday(getSettings(db).holidayRegion, date);
  return {
    date,
    closed: false,
    holiday: holiday !== null,
    holidayName: holiday?.name ?? null,
    temperature: null,
    rain: null,
  };
}

function toContext(record: ContextRecord): DayContext {
  return {
    date: record.date,
    closed: record.closed === 1,
    holiday: record.holiday === 1,
    holidayName: record.holiday_name,
    temperature: record.temperature,
    rain: record.rain,
  };
}

/** The days before `date` that decide its carried-over stock (empty for one-day products). */
function stockBefore(db: Db, productId: number, date: string, shelfLifeDays: number): StockDay[] {
  const back = lookbackDays(shelfLifeDays);
  if (back === 0) return [];
  return db
    .prepare<[number, string, string], StockDay>(
      `SELECT date, baked, sold, wasted FROM daily_logs
       WHERE product_id = ? AND date >= ? AND date < ? ORDER BY date`,
    )
    .all(productId, addDays(date, -back), date);
}

export function carriedOverFor(
  db: Db,
  productId: number,
  date: string,
  shelfLifeDays: number,
): number {
  return carriedOverOn(date, shelfLifeDays, stockBefore(db, productId, date, shelfLifeDays));
}

export function daySheet(
  db: Db,
  date: string,
): { date: string; context: DayContext; rows: DayRow[] } {
  const logs = new Map(
    db
      .prepare<[string], LogRecord>('SELECT * FROM daily_logs WHERE date = ?')
      .all(date)
      .map((record) => [record.product_id, toEntry(record)]),
  );
  const yesterday = new Map(
    db
      .prepare<[string], { product_id: number; baked: number | null }>(
        'SELECT product_id, baked FROM daily_logs WHERE date = ?',
      )
      .all(addDays(date, -1))
      .map((record) => [record.product_id, record.baked]),
  );
  const products = listProducts(db, 'all').filter((p) => p.active || logs.has(p.id));
  const rows = products.map((product) => ({
    product,
    log: logs.get(product.id) ?? null,
    yesterdayBaked: yesterday.get(product.id) ?? null,
    carriedOver: carriedOverFor(db, product.id, date, product.shelfLifeDays),
  }));
  return { date, context: dayContextOf(db, date), rows };
}

const editableFields = [
  ['baked', 'baked'],
  ['sold', 'sold'],
  ['wasted', 'wasted'],
  ['soldOut', 'sold_out'],
  ['soldOutTime', 'sold_out_time'],
  ['wasteReason', 'waste_reason'],
  ['wasteOutcome', 'waste_outcome'],
  ['note', 'note'],
] as const;

const asText = (value: unknown): string | null =>
  value === null || value === undefined ? null : String(value);

/**
 * Saves one row in a transaction. Refused rows change nothing; changes to a day before today
 * leave one edit-trail entry per changed field (old and new value, when).
 */
export function saveRow(
  db: Db,
  input: SaveRowInput,
  now: Date,
): { row: LogEntry; editsRecorded: number } {
  return db.transaction(() => {
    const product = getProduct(db, input.productId);
    const carried = carriedOverFor(db, product.id, input.date, product.shelfLifeDays);
    const issues = validateRow(input, carried);
    if (issues.length > 0) {
      throw new ApiError(
        'bad-request',
        issues[0]!.reason,
        issues.map((issue) => issueOf(issue.path, issue.reason)),
      );
    }
    const previous = db
      .prepare<[string, number], LogRecord>(
        'SELECT * FROM daily_logs WHERE date = ? AND product_id = ?',
      )
      .get(input.date, product.id);
    const stamp = now.toISOString();
    const next: Record<string, unknown> = {
      baked: input.baked,
      sold: input.sold,
      wasted: input.wasted,
      sold_out: input.soldOut ? 1 : 0,
      sold_out_time: input.soldOutTime || null,
      waste_reason: input.wasteReason ?? null,
      waste_outcome: input.wasteOutcome ?? null,
      note: input.note?.trim() || null,
    };
    let editsRecorded = 0;
    if (input.date < bakeryDate(db, now)) {
      const record = db.prepare(
        'INSERT INTO log_edits (date, product_id, field, old_value, new_value, edited_at) VALUES (?, ?, ?, ?, ?, ?)',
      );
      for (const [field, column] of editableFields) {
        const before = previous ? (previous as Record<string, unknown>)[column] : null;
        const after = next[column];
        if (asText(before) === asText(after)) continue;
        record.run(input.date, product.id, field, asText(before), asText(after), stamp);
        editsRecorded++;
      }
    }
    db.prepare(
      `INSERT INTO daily_logs (date, product_id, baked, sold, wasted, carried_over, sold_out, sold_out_time,
         waste_reason, waste_outcome, note, updated_at)
       VALUES (@date, @product_id, @baked, @sold, @wasted, @carried_over, @sold_out, @sold_out_time,
         @waste_reason, @waste_outcome, @note, @updated_at)
       ON CONFLICT (date, product_id) DO UPDATE SET baked = excluded.baked, sold = excluded.sold,
         wasted = excluded.wasted, carried_over = excluded.carried_over, sold_out = excluded.sold_out,
         sold_out_time = excluded.sold_out_time, waste_reason = excluded.waste_reason,
         waste_outcome = excluded.waste_outcome, note = excluded.note, updated_at = excluded.updated_at`,
    ).run({
      ...next,
      date: input.date,
      product_id: product.id,
      carried_over: carried,
      updated_at: stamp,
    });
    refreshCarriedOver(db, product.id, product.shelfLifeDays, input.date);
    const saved = db
      .prepare<[string, number], LogRecord>(
        'SELECT * FROM daily_logs WHERE date = ? AND product_id = ?',
      )
      .get(input.date, product.id);
    return { row: toEntry(saved as LogRecord), editsRecorded };
  })();
}

/** Stored carried-over counts after `date` depend on it: recompute those within reach. */
export function refreshCarriedOver(
  db: Db,
  productId: number,
  shelfLifeDays: number,
  date: string,
): void {
  if (shelfLifeDays <= 1) return;
  const from = addDays(date, -lookbackDays(shelfLifeDays));
  const to = addDays(date, shelfLifeDays);
  const days = db
    .prepare<[number, string, string], StockDay>(
      'SELECT date, baked, sold, wasted FROM daily_logs WHERE product_id = ? AND date BETWEEN ? AND ? ORDER BY date',
    )
    .all(productId, from, to);
  const carried = carriedOverSeries(days, shelfLifeDays);
  const update = db.prepare(
    'UPDATE daily_logs SET carried_over = ? WHERE product_id = ? AND date = ?',
  );
  days.forEach((day, i) => {
    if (day.date > date) update.run(carried[i] ?? 0, productId, day.date);
  });
}

export function setDayContext(
  db: Db,
  input: { date: string; closed?: boolean; holiday?: boolean; holidayName?: string | null },
): DayContext {
  return db.transaction(() => {
    const current = dayContextOf(db, input.date);
    const holiday = input.holiday ?? current.holiday;
    const holidayName = holiday
      ? input.holidayName === undefined
        ? current.holidayName
        : input.holidayName
      : null;
    db.prepare(
      `INSERT INTO day_context (date, closed, holiday, holiday_name, temperature, rain) VALUES (?, ?, ?, ?, ?, ?)
       ON CONFLICT (date) DO UPDATE SET closed = excluded.closed, holiday = excluded.holiday, holiday_name = excluded.holiday_name`,
    ).run(
      input.date,
      (input.closed ?? current.closed) ? 1 : 0,
      holiday ? 1 : 0,
      holidayName,
      current.temperature,
      current.rain,
    );
    return dayContextOf(db, input.date);
  })();
}

export function logHistory(db: Db, filter: { productId?: number; from?: string; to?: string }) {
  const latest =
    db.prepare<[], { d: string | null }>('SELECT max(date) AS d FROM daily_logs').get()?.d ?? null;
  const to = filter.to ?? latest;
  const from = filter.from ?? (to ? addDays(to, -89) : null);
  if (!from || !to) return { from: null, to: null, rows: [], days: [], series: [] };
  const records = db
    .prepare<
      [string, string, number | null, number | null],
      LogRecord & { name: string; category: HistoryRow['category'] }
    >(
      `SELECT l.*, p.name, p.category FROM daily_logs l JOIN products p ON p.id = l.product_id
       WHERE l.date BETWEEN ? AND ? AND (? IS NULL OR l.product_id = ?) ORDER BY l.date, p.name_key`,
    )
    .all(from, to, filter.productId ?? null, filter.productId ?? null);
  const rows: HistoryRow[] = records.map((r) => {
    const { updatedAt: _updatedAt, ...entry } = toEntry(r);
    return { ...entry, productName: r.name, category: r.category };
  });
  const days = db
    .prepare<[string, string], ContextRecord>(
      'SELECT * FROM day_context WHERE date BETWEEN ? AND ? ORDER BY date',
    )
    .all(from, to)
    .map(toContext);
  const byProduct = new Map<number, HistoryRow[]>();
  for (const row of rows) {
    const list = byProduct.get(row.productId);
    if (list) list.push(row);
    else byProduct.set(row.productId, [row]);
  }
  const series = [...byProduct.values()].map((list) => {
    const sold = list.reduce((sum, r) => sum + r.sold, 0);
    const wasted = list.reduce((sum, r) => sum + (r.wasted ?? 0), 0);
    const knownMoves = list.reduce(
      (sum, r) => sum + (r.wasted === null ? 0 : r.sold + r.wasted),
      0,
    );
    return {
      productId: list[0]?.productId ?? 0,
      productName: list[0]?.productName ?? '',
      points: list.map((r) => ({
        date: r.date,
        sold: r.sold,
        wasted: r.wasted,
        wasteRate:
          r.wasted === null || r.sold + r.wasted === 0 ? null : r.wasted / (r.sold + r.wasted),
      })),
      totals: { sold, wasted, wasteRate: knownMoves === 0 ? null : wasted / knownMoves },
    };
  });
  return { from, to, rows, days, series };
}

export function logEdits(
  db: Db,
  filter: { date?: string; productId?: number; limit: number },
): LogEdit[] {
  return db
    .prepare<
      [string | null, string | null, number | null, number | null, number],
      {
        id: number;
        date: string;
        product_id: number;
        name: string;
        field: string;
        old_value: string | null;
        new_value: string | null;
        edited_at: string;
      }
    >(
      `SELECT e.*, p.name FROM log_edits e JOIN products p ON p.id = e.product_id
       WHERE (? IS NULL OR e.date = ?) AND (? IS NULL OR e.product_id = ?) ORDER BY e.id DESC LIMIT ?`,
    )
    .all(
      filter.date ?? null,
      filter.date ?? null,
      filter.productId ?? null,
      filter.productId ?? null,
      filter.limit,
    )
    .map((e) => ({
      id: e.id,
      date: e.date,
      productId: e.product_id,
      productName: e.name,
      field: e.field,
      oldValue: e.old_value,
      newValue: e.new_value,
      editedAt: e.edited_at,
    }));
}
