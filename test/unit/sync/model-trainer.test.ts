import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createModel, getFlatWeights } from '../../../federated/model/network.ts';
import { openDatabase } from '../../../electron/store/database.ts';
import { modelTrainer } from '../../../electron/sync/model-trainer.ts';
import { chainDays, tempDir } from '../../integration/coordinator-harness.ts';

describe('the production trainer behind the sync client', () => {
  const db = openDatabase(join(tempDir('breadcast-model-trainer-'), 'shop.db'));
  afterAll(() => db.close());

  it('trains the shared model from the global weights on the shop’s logs and reports only aggregate figures', async () => {
    const at = '2026-11-27T00:00:00Z';
    const product = db
      .prepare(
        "INSERT INTO products (name, name_key, category, shelf_life_days, created_at, updated_at) VALUES ('Roll', 'roll', 'rolls', 1, ?, ?)",
      )
      .run(at, at);
    const insert = db.prepare(
      'INSERT INTO daily_logs (date, product_id, sold, updated_at) VALUES (?, ?, ?, ?)',
    );
    chainDays(2, 'roll', 70).forEach((day, i) => {
      const date = new Date(Date.UTC(2026, 8, 1) + i * 86_400_000).toISOString().slice(0, 10);
      insert.run(date, product.lastInsertRowid, day.sold, at);
    });
    const trainer = modelTrainer(db);
    const global = getFlatWeights(createModel(3));
    const trained = await trainer.train({
      initialWeights: global,
      epochs: 2,
      learningRate: 0.003,
      batchSize: 32,
      seed: 1,
    });
    expect(trained.weights.length).toBe(global.length);
    expect(trained.sampleCount).toBeGreaterThan(20);
    expect(trained.weights.some((w, i) => w !== global[i])).toBe(true);
    const metrics = await trainer.evaluate(trained.weights);
    expect(metrics).not.toBeNull();
    expect(Object.keys(metrics!).sort()).toEqual(['n', 'pinball', 'wape']);
    expect(metrics!.n).toBeGreaterThan(0);
    expect(metrics!.n).toBeLessThanOrEqual(29);
    expect(Number.isFinite(metrics!.pinball) && Number.isFinite(metrics!.wape)).toBe(true);
  });
});
