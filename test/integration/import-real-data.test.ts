import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createDemoDatabase, bakeryChainCsv } from '../../electron/logs/demo.ts';
import { getSettings } from '../../electron/logs/settings.ts';
import { listProducts } from '../../electron/logs/products.ts';
import { commitImport } from '../../electron/logs/import/importer.ts';
import { fileSource } from '../../electron/logs/import/source.ts';
import { openDatabase } from '../../electron/store/database.ts';

const chainStores = [
  '2',
  '5',
  '17',
  '25',
  '26',
  '28',
  '30',
  '33',
  '34',
  '36',
  '37',
  '38',
  '40',
  '43',
  '44',
  '45',
  '46',
  '47',
  '50',
  '70',
];

const dir = mkdtempSync(join(tmpdir(), 'breadcast-real-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const timings: Record<string, number> = {};
afterAll(() => console.log(`import timings (ms): ${JSON.stringify(timings)}`));

async function timedImport(name: string, csv: string, store?: string) {
  const db = openDatabase(join(dir, `${name}.sqlite`));
  try {
    const started = performance.now();
    const summary = await commitImport(db, fileSource(csv), { store });
    timings[name] = Math.round(performance.now() - started);
    return { summary, db };
  } catch (error) {
    db.close();
    throw error;
  }
}

describe('importing the real bakery data', () => {
  it('imports every store of the shipped chain file, one database per store', async () => {
    for (const store of chainStores) {
      const { summary, db } = await timedImport(`chain-${store}`, bakeryChainCsv, store);
      expect(summary).toMatchObject({ imported: 3645, products: 3, days: 1215, skipped: 0 });
      db.close();
    }
    // 20 × 73k-line reads: well under a minute on an idle machine, more on a shared CI runner.
  }, 240_000);

  it('builds the demo bakery from store 2 with product settings and region', async () => {
    const path = join(dir, 'demo.sqlite');
    const { db, summary } = await createDemoDatabase(path);
    expect(summary.imported).toBe(3645);
    expect(
      listProducts(db).map((p) => [p.name, p.category, p.shelfLifeDays, p.unitPrice, p.unitCost]),
    ).toEqual([
      ['Pretzel', 'snack', 1, 0.85, 0.25],
      ['Roll', 'rolls', 1, 0.4, 0.12],
      ['Seeded roll', 'rolls', 1, 0.65, 0.2],
    ]);
    expect(getSettings(db)).toEqual({
      shopName: 'Demo bakery (chain store 2)',
      language: 'en',
      holidayRegion: { country: 'DE', state: 'NW' },
      currency: 'EUR',
      askLocation: false,
      timeZone: Intl.DateTimeFormat().resolvedOptions().timeZone,
      weather: expect.objectContaining({ enabled: true, latitude: null, longitude: null }),
    });
    expect(db.prepare('SELECT count(*) AS n FROM day_context WHERE closed = 1').get()).toEqual({
      n: 16,
    });
    db.close();
    await expect(createDemoDatabase(path)).rejects.toThrow(/exists already/);
  });
});
