import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addDays } from '../../federated/calendar/dates.ts';
import { openDatabase, type Db } from '../../electron/store/database.ts';
import { commitImport } from '../../electron/logs/import/importer.ts';
import { stringSource } from '../../electron/logs/import/source.ts';
import { bakeryChainCsv } from '../../electron/logs/demo.ts';
import { listProducts, updateProduct } from '../../electron/logs/products.ts';
import { saveRow } from '../../electron/logs/daily.ts';
import { forecastDay, leftoversAt } from '../../electron/forecast/forecast-service.ts';
import { main } from '../../cli/main.ts';
import { captureIo } from '../support/cli-io.ts';

let dir: string;
/** A bakery with five months of store 5 and a model trained on them by the CLI. */
let trained: string;
let lastLogged: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'breadcast-carry-'));
  trained = join(dir, 'trained.sqlite');
  const lines = readFileSync(bakeryChainCsv, 'utf8').trim().split('\n');
  const storeAt = lines[0]!.split(',').indexOf('store');
  const csv = [
    lines[0]!,
    ...lines.slice(1).filter((l) => l.split(',')[storeAt] === '5' && l >= '2018-12'),
  ].join('\n');
  const db = openDatabase(trained);
  await commitImport(db, stringSource(csv), { store: '5' });
  lastLogged = (db.prepare('SELECT max(date) AS d FROM daily_logs').get() as { d: string }).d;
  db.close();
  expect(await main(['train', '--db', trained], captureIo())).toBe(0);
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

/**
 * A copy of the trained bakery whose first product keeps three days, with one more day logged:
 * `sold` sold, `wasted` thrown away, `baked` baked. Its history (sales, shelf life) is the same
 * in every copy, so the model sees the same day; only the stock left over differs.
 */
function bakeryWith(name: string, day: { baked: number; sold: number; wasted: number }) {
  const path = join(dir, `${name}.sqlite`);
  const source = openDatabase(trained);
  source.exec(`VACUUM INTO '${path}'`);
  source.close();
  const db = openDatabase(path);
  const product = listProducts(db)[0]!;
  updateProduct(db, product.id, { shelfLifeDays: 3 }, new Date());
  const date = addDays(lastLogged, 1);
  saveRow(db, { date, productId: product.id, ...day, soldOut: false }, new Date(`${date}T20:00Z`));
  return { db, productId: product.id, logged: date };
}

const forecastOf = async (db: Db, productId: number, date: string) =>
  (await forecastDay(db, { date })).products.find((p) => p.productId === productId)!;

describe('the bake on top of stock carried over', () => {
  it('subtracts the sellable units left from yesterday, says so, and counts them in the leftovers', async () => {
    const none = bakeryWith('none', { baked: 30, sold: 30, wasted: 0 });
    // 50 baked, 30 sold, 4 thrown away: 16 sellable units go into the next day.
    const some = bakeryWith('some', { baked: 50, sold: 30, wasted: 4 });
    const date = addDays(none.logged, 1);
    try {
      const without = await forecastOf(none.db, none.productId, date);
      const withStock = await forecastOf(some.db, some.productId, date);
      expect(withStock.quantiles).toEqual(without.quantiles);
      expect(without.carriedOver).toBe(0);
      expect(without.explanation.map((e) => e.reason.code)).not.toContain('forecast.carriedOver');
      expect(without.recommendedBake).toBeGreaterThan(16);

      expect(withStock.carriedOver).toBe(16);
      expect(withStock.recommendedBake).toBe(without.recommendedBake - 16);
      expect(withStock.explanation).toContainEqual({
        direction: 'down',
        reason: { code: 'forecast.carriedOver', params: { units: 16 } },
      });
      // The same shelf (bake + stock) leaves the same expected leftovers and shortage.
      expect(withStock.expectedWasteAtRecommended).toBe(without.expectedWasteAtRecommended);
      expect(withStock.expectedShortageAtRecommended).toBe(without.expectedShortageAtRecommended);
      // The live column of the bake sheet counts the stock on the shelf too.
      const { quantity, ...onShelf } = (await leftoversAt(some.db, some.productId, date, 20))!;
      const { quantity: bakedAlone, ...alone } = (await leftoversAt(
        none.db,
        none.productId,
        date,
        36,
      ))!;
      expect([quantity, bakedAlone]).toEqual([20, 36]);
      expect(onShelf).toEqual(alone);
      expect(alone.expectedLeftovers).toBeGreaterThan(0);

      // A forecast two days ahead, before tomorrow's counts are in: the 16 units may sell
      // tomorrow, so none are assumed left and nothing is subtracted.
      const later = await forecastOf(some.db, some.productId, addDays(date, 1));
      expect(later.carriedOver).toBe(0);
      expect(later.explanation.map((e) => e.reason.code)).not.toContain('forecast.carriedOver');
    } finally {
      none.db.close();
      some.db.close();
    }
  });

  it('a product that keeps one day carries nothing over', async () => {
    const { db, productId } = bakeryWith('one-day', { baked: 50, sold: 30, wasted: 0 });
    try {
      updateProduct(db, productId, { shelfLifeDays: 1 }, new Date());
      const forecast = await forecastOf(db, productId, addDays(lastLogged, 2));
      expect(forecast.carriedOver).toBe(0);
    } finally {
      db.close();
    }
  });
});
