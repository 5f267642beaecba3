import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type Db } from '../../electron/store/database.ts';
import { commitImport } from '../../electron/logs/import/importer.ts';
import { stringSource } from '../../electron/logs/import/source.ts';
import { startTraining } from '../../electron/forecast/training-job.ts';
import { activeModel } from '../../electron/forecast/model-store.ts';
import { forecastDay, productQuantiles } from '../../electron/forecast/forecast-service.ts';
import { loadHistories, withCalendarAhead } from '../../electron/forecast/histories.ts';
import { calibrationPoints, recentBandShift } from '../../electron/forecast/band-calibration.ts';
import {
  bandShift,
  calibrationWindowDays,
  noShift,
  shiftBand,
} from '../../federated/decisions/band-calibration.ts';
import { addDays } from '../../federated/calendar/dates.ts';
import { calibratedBands } from '../../electron/forecast/day-ahead-scoring.ts';
import { bakeryChainCsv as chain } from '../../electron/logs/demo.ts';

let dir: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'breadcast-calibration-'));
});

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

/** Store 5 of the real chain from May 2018 on: three products, one year. */
function storeFiveCsv(): string {
  const lines = readFileSync(chain, 'utf8').trim().split('\n');
  const header = lines[0]!;
  const storeAt = header.split(',').indexOf('store');
  return [
    header,
    ...lines.slice(1).filter((l) => l.split(',')[storeAt] === '5' && l >= '2018-05'),
  ].join('\n');
}

describe('the calibration points of a day', () => {
  let db: Db;
  const day = '2024-03-29';
  const product = (name: string) =>
    Number(
      db
        .prepare(
          "INSERT INTO products (name, name_key, category, created_at, updated_at) VALUES (?, ?, 'bread', 'x', 'x')",
        )
        .run(name, name.toLowerCase()).lastInsertRowid,
    );
  const log = (date: string, id: number, sold: number) =>
    db
      .prepare('INSERT INTO daily_logs (date, product_id, sold, updated_at) VALUES (?, ?, ?, ?)')
      .run(date, id, sold, 'x');
  const forecast = (date: string, id: number, band: { p10: number; p90: number } | null) =>
    db
      .prepare(
        `INSERT INTO forecasts (date, product_id, p10, p25, p50, p75, p90, recommended_bake, expected_waste, created_at, model_p10, model_p90, level)
         VALUES (?, ?, 1, 2, 3, 4, 5, 3, 1, 'x', ?, ?, ?)`,
      )
      .run(date, id, band?.p10 ?? null, band?.p90 ?? null, band ? 10 : null);

  beforeAll(() => {
    db = openDatabase(join(dir, 'points.sqlite'));
  });
  afterAll(() => db.close());

  it('takes the model band of the 28 days before, on open days with sales logged', () => {
    const a = product('Rye');
    const b = product('Spelt');
    // Inside the window: D−28 … D−1 for product a, with sales 10 + i over a model band 8…12.
    for (let i = 1; i <= 28; i++) {
      const date = addDays(day, -i);
      log(date, a, 10 + i);
      forecast(date, a, { p10: 8, p90: 12 });
    }
    // Outside or unusable: the day itself, D−29, a closed day, no model band, no sales logged.
    log(day, b, 99);
    forecast(day, b, { p10: 8, p90: 12 });
    log(addDays(day, -29), b, 99);
    forecast(addDays(day, -29), b, { p10: 8, p90: 12 });
    log(addDays(day, -3), b, 99);
    forecast(addDays(day, -3), b, null);
    forecast(addDays(day, -4), b, { p10: 8, p90: 12 });
    log(addDays(day, -5), b, 99);
    forecast(addDays(day, -5), b, { p10: 8, p90: 12 });
    db.prepare('INSERT INTO day_context (date, closed) VALUES (?, 1)').run(addDays(day, -5));
    // The closed day drops product a's row of that day too.
    const points = calibrationPoints(db, day);
    expect(points).toHaveLength(27);
    expect(points.every((p) => p.p10 === 8 && p.p90 === 12 && p.level === 10)).toBe(true);
    expect(new Set(points.map((p) => p.sold))).toEqual(
      new Set(Array.from({ length: 28 }, (_, i) => 11 + i).filter((sold) => sold !== 10 + 5)),
    );
    expect(points.find((p) => p.sold === 11)?.date).toBe(addDays(day, -1));
    // Under 30 product-days the band stays as the model gives it.
    expect(recentBandShift(db, day)).toEqual(noShift);
  });

  it('shifts by the conformal quantiles once 30 product-days are known', () => {
    const c = product('Baguette');
    for (let i = 1; i <= 10; i++) {
      log(addDays(day, -i), c, 20);
      forecast(addDays(day, -i), c, { p10: 8, p90: 12 });
    }
    // Ten more days, one of them the closed day.
    const points = calibrationPoints(db, day);
    expect(points).toHaveLength(36);
    const shift = recentBandShift(db, day);
    expect(shift).toEqual(bandShift(points, day));
    // Sales ran above the model's p90 on most days: the shown p90 moves up, by level units.
    expect(shift.p90).toBeGreaterThan(0);
  });
});

describe('the forecast applies the calibrated band', () => {
  let db: Db;
  const firstDay = '2019-04-01';
  const day = '2019-05-02';

  beforeAll(async () => {
    db = openDatabase(join(dir, 'shop.sqlite'));
    await commitImport(db, stringSource(storeFiveCsv()), { store: '5' });
    await startTraining({ db, trigger: 'manual', epochs: 2 }).promise;
  });
  afterAll(() => db.close());

  const modelBand = (productId: number, date: string) => {
    const series = withCalendarAhead(db, loadHistories(db, { productIds: [productId] }), date)[0]!;
    return productQuantiles(activeModel(db)!, series, date, noShift)!;
  };

  it('shows the model band until enough days are known, then the calibrated one', async () => {
    const first = await forecastDay(db, { date: firstDay });
    for (const p of first.products) {
      const own = modelBand(p.productId, firstDay);
      expect(p.quantiles.p10).toBeCloseTo(own.model.p10, 1);
      expect(p.quantiles.p90).toBeCloseTo(own.model.p90, 1);
    }
    // A month of forecasts, each stored as the app does every day.
    for (let date = addDays(firstDay, 1); date < day; date = addDays(date, 1))
      await forecastDay(db, { date });

    const stored = db
      .prepare(
        `SELECT f.date AS date, f.model_p10 AS p10, f.model_p90 AS p90, l.sold AS sold, f.level AS level
         FROM forecasts f JOIN daily_logs l USING (date, product_id)
         LEFT JOIN day_context c USING (date)
         WHERE f.date >= ? AND f.date < ? AND COALESCE(c.closed, 0) = 0`,
      )
      .all(addDays(day, -calibrationWindowDays), day) as Parameters<typeof bandShift>[0];
    expect(stored.length).toBeGreaterThanOrEqual(30);
    const shift = bandShift(stored, day);
    expect(shift).not.toEqual(noShift);

    const shown = await forecastDay(db, { date: day });
    expect(shown.products).toHaveLength(3);
    for (const p of shown.products) {
      const own = modelBand(p.productId, day);
      const expected = shiftBand(own.model, shift, own.row.level);
      expect(p.quantiles.p10).toBeCloseTo(expected.p10, 1);
      expect(p.quantiles.p90).toBeCloseTo(expected.p90, 1);
      expect(p.quantiles.p50).toBeCloseTo(own.model.p50, 1);
      // What is stored: the band shown, and the model's own edges for the next days' calibration.
      const row = db
        .prepare(
          'SELECT p10, p90, model_p10, model_p90, level FROM forecasts WHERE date = ? AND product_id = ?',
        )
        .get(day, p.productId) as Record<string, number>;
      expect(row.p10).toBe(p.quantiles.p10);
      expect(row.p90).toBe(p.quantiles.p90);
      expect(row.model_p10).toBeCloseTo(own.model.p10, 6);
      expect(row.model_p90).toBeCloseTo(own.model.p90, 6);
      expect(row.level).toBeCloseTo(own.row.level, 6);
    }

    // `simulate` and `backtest` calibrate the same days to the same band (one module).
    const past = stored.map((p) => ({ date: p.date, sold: p.sold, level: p.level }));
    const pastBands = stored.map((p) => ({
      p10: p.p10,
      p25: p.p10,
      p50: p.p10,
      p75: p.p90,
      p90: p.p90,
    }));
    const own = shown.products.map((p) => modelBand(p.productId, day));
    const scored = calibratedBands(
      [...pastBands, ...own.map((o) => o.model)],
      [...past, ...own.map((o) => ({ date: day, sold: 0, level: o.row.level }))],
    ).slice(past.length);
    shown.products.forEach((p, i) => {
      expect(p.quantiles.p10).toBeCloseTo(scored[i]!.p10, 1);
      expect(p.quantiles.p90).toBeCloseTo(scored[i]!.p90, 1);
    });
  });
});
