import { addDays, weekdayIndex } from '../../federated/calendar/dates.ts';
import { featureRow } from '../../federated/features/extract.ts';
import { minimumHistoryDays } from '../../federated/features/spec.ts';
import {
  bakeOnTopOf,
  criticalRatio,
  newsvendorQuantity,
} from '../../federated/decisions/newsvendor.ts';
import {
  expectedLeftovers,
  expectedShortage,
  probabilityEnough,
  scaleQuantiles,
  type Quantiles,
} from '../../federated/decisions/quantile-function.ts';
import { initBackend } from '../../federated/model/backend.ts';
import { bakeryDate } from '../logs/settings.ts';
import { listProducts } from '../logs/products.ts';
import type { MessageOf } from '../api/contract/messages/index.ts';
import type { Db } from '../store/database.ts';
import type { ProductSeries } from './csv-histories.ts';
import { explainForecast, type Explanation } from './explain.ts';
import { lastLoggedDate, loadHistories, withCalendarAhead } from './histories.ts';
import { activeModel, forecastModelOf, type StoredModel } from './model-store.ts';
import { predictModel } from './forecast-model.ts';
import { sellableStock } from './stock-on-hand.ts';
import { weatherOfDay } from '../weather/refresh.ts';
import { calibrate, recentBandShift } from './band-calibration.ts';
import type { BandShift } from '../../federated/decisions/band-calibration.ts';

export class NoModelError extends Error {
  constructor() {
    super('No model yet: train one first (breadcast train, or Train now in the app).');
  }
}

export type ProductForecast = {
  productId: number;
  product: string;
  category: string;
  date: string;
  quantiles: Quantiles;
  recommendedBake: number;
  /** Sellable units already on hand from earlier bakes: the recommended bake comes on top. */
  carriedOver: number;
  criticalRatio: number;
  parLevel: number | null;
  expectedWasteAtRecommended: number;
  expectedShortageAtRecommended: number;
  plannedBake: number | null;
  expectedWasteAtPlanned: number | null;
  explanation: Explanation[];
  warning: MessageOf<'forecast.historyTooShort'> | null;
  recent: {
    date: string;
    sold: number | null;
    soldOut: boolean;
    closed: boolean;
    p10: number | null;
    p50: number | null;
    p90: number | null;
  }[];
};

export type ModelInfo = {
  modelVersion: number;
  source: StoredModel['source'];
  trainedAt: string;
  backend: string;
  featureSpecVersion: string;
};

export const modelInfo = (m: StoredModel): ModelInfo => ({
  modelVersion: m.id,
  source: m.source,
  trainedAt: m.createdAt,
  backend: m.backend,
  featureSpecVersion: m.featureSpecVersion,
});

const round1 = (v: number) => Math.round(v * 10) / 10;
const roundQ = (q: Quantiles): Quantiles => ({
  p10: round1(q.p10),
  p25: round1(q.p25),
  p50: round1(q.p50),
  p75: round1(q.p75),
  p90: round1(q.p90),
});

/**
 * Quantiles in units for one product and date, or null when the product has no sales yet: `q`
 * is the band the bakery is shown and decides on (the model's, calibrated by `shift`), `model`
 * the model's own.
 */
export function productQuantiles(
  model: StoredModel,
  series: ProductSeries,
  date: string,
  shift: BandShift,
) {
  const row = featureRow(series.history, date);
  if (!row) return null;
  const band = calibrate(
    scaleQuantiles(predictModel(forecastModelOf(model), [row.x])[0]!, row.level),
    shift,
    row.level,
  );
  return { row, q: band.shown, model: band.model };
}

function decide(series: ProductSeries, q: Quantiles, date: string, stock: number) {
  const { ratio, isDefault } = criticalRatio(series.unitPrice, series.unitCost);
  const par = series.parLevels?.[weekdayIndex(date)] ?? null;
  const shelf = newsvendorQuantity(q, ratio, par);
  return {
    ratio,
    isDefault,
    par,
    recommended: bakeOnTopOf(q, ratio, par, stock),
    raisedByPar: par !== null && shelf === Math.ceil(par) && newsvendorQuantity(q, ratio) < par,
  };
}

/** Shelf lives by product id, for the stock a forecast day starts with. */
function shelfLives(db: Db): Map<number, number> {
  return new Map(listProducts(db, 'all').map((p) => [p.id, p.shelfLifeDays]));
}

function storedForecasts(db: Db, from: string, to: string) {
  const rows = db
    .prepare('SELECT date, product_id, p10, p50, p90 FROM forecasts WHERE date BETWEEN ? AND ?')
    .all(from, to) as { date: string; product_id: number; p10: number; p50: number; p90: number }[];
  return new Map(rows.map((r) => [`${r.product_id}|${r.date}`, r]));
}

/**
 * Forecasts for one date (default: tomorrow by `now`) for every active product, and stores them
 * so the accuracy panel can later compare them with what was sold.
 */
export async function forecastDay(
  db: Db,
  options: { date?: string; planned?: { productId: number; quantity: number }[]; now?: Date } = {},
) {
  await initBackend();
  const model = activeModel(db);
  if (!model) throw new NoModelError();
  const now = options.now ?? new Date();
  const today = bakeryDate(db, now);
  const date = options.date ?? addDays(today, 1);
  const last = lastLoggedDate(db);
  const planned = new Map((options.planned ?? []).map((p) => [p.productId, p.quantity]));
  const products = withCalendarAhead(db, loadHistories(db), date);
  const closedRow = db.prepare('SELECT closed FROM day_context WHERE date = ?').get(date) as
    { closed: number } | undefined;
  const past = storedForecasts(db, addDays(date, -28), addDays(date, -1));
  const shelfLife = shelfLives(db);
  // The band calibrated on the bakery's own recent days, as `simulate` and `backtest` score it.
  const shift = recentBandShift(db, date);
  const result: ProductForecast[] = [];
  const modelBands = new Map<number, { p10: number; p90: number; level: number }>();
  for (const series of products) {
    const forecast = productQuantiles(model, series, date, shift);
    if (!forecast) continue;
    const q = roundQ(forecast.q);
    modelBands.set(series.productId, {
      p10: forecast.model.p10,
      p90: forecast.model.p90,
      level: forecast.row.level,
    });
    const stock = sellableStock(db, series.productId, date, shelfLife.get(series.productId) ?? 1);
    const d = decide(series, forecast.q, date, stock);
    const plan = planned.get(series.productId) ?? null;
    const explanation = explainForecast(forecastModelOf(model), forecast.row.x);
    if (d.isDefault)
      explanation.push({
        direction: 'neutral',
        reason: { code: 'forecast.defaultRatio', params: { ratio: d.ratio } },
      });
    if (d.raisedByPar && d.par !== null)
      explanation.push({
        direction: 'up',
        reason: { code: 'forecast.parLevel', params: { par: d.par } },
      });
    if (stock > 0)
      explanation.push({
        direction: 'down',
        reason: { code: 'forecast.carriedOver', params: { units: stock } },
      });
    const byDate = new Map(series.history.days.map((day) => [day.date, day]));
    const recent = Array.from({ length: 28 }, (_, i) => addDays(date, i - 28)).map((day) => {
      const logged = byDate.get(day);
      const stored = past.get(`${series.productId}|${day}`);
      return {
        date: day,
        sold: logged?.sold ?? null,
        soldOut: logged?.soldOut ?? false,
        closed: logged?.closed ?? false,
        p10: stored?.p10 ?? null,
        p50: stored?.p50 ?? null,
        p90: stored?.p90 ?? null,
      };
    });
    result.push({
      productId: series.productId,
      product: series.name,
      category: series.history.category,
      date,
      quantiles: q,
      recommendedBake: d.recommended,
      carriedOver: stock,
      criticalRatio: round1(d.ratio * 100) / 100,
      parLevel: d.par,
      // What is left at closing counts the carried units too: they are on the same shelf.
      expectedWasteAtRecommended: round1(expectedLeftovers(forecast.q, d.recommended + stock)),
      expectedShortageAtRecommended: round1(expectedShortage(forecast.q, d.recommended + stock)),
      plannedBake: plan,
      expectedWasteAtPlanned:
        plan === null ? null : round1(expectedLeftovers(forecast.q, plan + stock)),
      explanation,
      warning:
        forecast.row.historyDays < minimumHistoryDays
          ? {
              code: 'forecast.historyTooShort',
              params: {
                historyDays: forecast.row.historyDays,
                minimumDays: minimumHistoryDays,
                model: model.source === 'local' ? 'general' : 'consortium',
              },
            }
          : null,
      recent,
    });
  }
  const store = db.prepare(
    `INSERT INTO forecasts (date, product_id, model_version_id, p10, p25, p50, p75, p90, recommended_bake, expected_waste, created_at, model_p10, model_p90, level)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
     ON CONFLICT (date, product_id) DO UPDATE SET model_version_id = excluded.model_version_id,
       p10 = excluded.p10, p25 = excluded.p25, p50 = excluded.p50, p75 = excluded.p75, p90 = excluded.p90,
       recommended_bake = excluded.recommended_bake, expected_waste = excluded.expected_waste, created_at = excluded.created_at,
       model_p10 = excluded.model_p10, model_p90 = excluded.model_p90, level = excluded.level`,
  );
  db.transaction(() => {
    for (const f of result) {
      const q = f.quantiles;
      const band = modelBands.get(f.productId)!;
      store.run(
        f.date,
        f.productId,
        model.id,
        q.p10,
        q.p25,
        q.p50,
        q.p75,
        q.p90,
        f.recommendedBake,
        f.expectedWasteAtRecommended,
        now.toISOString(),
        band.p10,
        band.p90,
        band.level,
      );
    }
  })();
  return {
    date,
    dateSource: options.date ? ('requested' as const) : ('calendar' as const),
    lastLoggedDate: last,
    logsUpToDate: last !== null && last >= addDays(date, -2),
    closed: closedRow?.closed === 1,
    weather: weatherOfDay(db, date),
    model: modelInfo(model),
    products: result,
  };
}

/** Expected leftovers/shortage for a planned quantity (the bake sheet's live column). */
export async function leftoversAt(db: Db, productId: number, date: string, quantity: number) {
  await initBackend();
  const model = activeModel(db);
  if (!model) throw new NoModelError();
  const series = withCalendarAhead(db, loadHistories(db, { productIds: [productId] }), date)[0];
  if (!series) return null;
  const forecast = productQuantiles(model, series, date, recentBandShift(db, date));
  if (!forecast) return null;
  const onShelf = quantity + sellableStock(db, productId, date, shelfLives(db).get(productId) ?? 1);
  return {
    productId,
    date,
    quantity,
    expectedLeftovers: round1(expectedLeftovers(forecast.q, onShelf)),
    expectedShortage: round1(expectedShortage(forecast.q, onShelf)),
    sellOutProbability: Math.round((1 - probabilityEnough(forecast.q, onShelf)) * 100) / 100,
  };
}

/** Recent error of stored forecasts against what was then sold. */
export function accuracy(db: Db, days: number, today: string) {
  const rows = db
    .prepare(
      `SELECT f.date AS date, f.product_id AS productId, p.name AS product, f.p50 AS p50, l.sold AS sold
       FROM forecasts f JOIN daily_logs l ON l.date = f.date AND l.product_id = f.product_id
       JOIN products p ON p.id = f.product_id
       WHERE f.date > ? AND f.date <= ?`,
    )
    .all(addDays(today, -days), today) as {
    date: string;
    productId: number;
    product: string;
    p50: number;
    sold: number;
  }[];
  const figures = (list: typeof rows) => {
    const sold = list.reduce((s, r) => s + r.sold, 0);
    const abs = list.reduce((s, r) => s + Math.abs(r.p50 - r.sold), 0);
    const bias = list.reduce((s, r) => s + (r.p50 - r.sold), 0);
    return {
      wape: sold > 0 ? abs / sold : null,
      bias: list.length ? bias / list.length : null,
      days: new Set(list.map((r) => r.date)).size,
    };
  };
  const byProduct = new Map<number, typeof rows>();
  for (const r of rows) byProduct.set(r.productId, [...(byProduct.get(r.productId) ?? []), r]);
  return {
    days,
    overall: figures(rows),
    products: [...byProduct.values()].map((list) => ({
      productId: list[0]!.productId,
      product: list[0]!.product,
      ...figures(list),
    })),
  };
}
