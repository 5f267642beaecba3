import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { ValueOfJoining } from '../../../electron/api/contract/value.ts';
import { createBackend, type Backend } from '../../../electron/backend/backend.ts';
import { commitImport } from '../../../electron/logs/import/importer.ts';
import { stringSource } from '../../../electron/logs/import/source.ts';
import { openDatabase, type Db } from '../../../electron/store/database.ts';
import { modelTrainer } from '../../../electron/sync/model-trainer.ts';
import {
  enrolShops,
  everyRoundPolicy,
  runRounds,
  startLocalCoordinator,
  type RunningCoordinator,
} from '../../../simulation/consortium.ts';
import { bakeryChainCsv as chain } from '../../../electron/logs/demo.ts';

const price = 0.4;
const cost = 0.12;
const compareDays = 21;

/** One product of one real chain store, seven months, with a price and cost a bakery would enter. */
function storeCsv(store: string): { csv: string; open: { date: string; sold: number }[] } {
  const [header, ...lines] = readFileSync(chain, 'utf8').trim().split('\n');
  const col = header!.split(',');
  const at = (f: string[], name: string) => f[col.indexOf(name)]!;
  const rows = lines
    .map((l) => l.split(','))
    .filter((f) => at(f, 'store') === store && at(f, 'product') === 'roll')
    .filter((f) => at(f, 'date') >= '2018-10-01');
  const csv = [
    'date,product,sold,closed,temperature,rain,unit_price,unit_cost',
    ...rows.map((f) =>
      [
        at(f, 'date'),
        'Roll',
        at(f, 'sold'),
        at(f, 'closed'),
        at(f, 'temperature'),
        at(f, 'rain'),
        price,
        cost,
      ].join(','),
    ),
  ].join('\n');
  const open = rows
    .filter((f) => at(f, 'closed') === '0')
    .map((f) => ({ date: at(f, 'date'), sold: Number(at(f, 'sold')) }));
  return { csv, open };
}

describe('value of joining (value.compare)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'breadcast-value-'));
  const dbs: Db[] = [];
  let coordinator: RunningCoordinator | undefined;
  let backend: Backend | undefined;

  afterAll(async () => {
    backend?.close();
    for (const db of dbs) db.close();
    await coordinator?.close();
  });

  it('refuses in plain words before the bakery holds a consortium model', async () => {
    const alone = createBackend({ databasePath: join(dir, 'alone.sqlite'), transport: 'http' });
    try {
      const result = await alone.dispatch('value.compare', {});
      expect(result).toMatchObject({ ok: false, error: { code: 'unavailable' } });
      if (!result.ok)
        expect(result.error.reason).toEqual({ code: 'refusal.notEnrolled', params: {} });
    } finally {
      alone.close();
    }
  });

  it('compares the bakery’s own model with the consortium model it downloaded, in units and money', async () => {
    coordinator = await startLocalCoordinator({ dir });
    const shops = [];
    let first: ReturnType<typeof storeCsv> | undefined;
    for (const store of ['2', '17']) {
      const path = join(dir, `bakery-${store}.sqlite`);
      const db = openDatabase(path);
      dbs.push(db);
      const data = storeCsv(store);
      first ??= data;
      await commitImport(db, stringSource(data.csv), {});
      shops.push({ id: store, name: `Store ${store}`, trainer: modelTrainer(db), db });
    }
    const enrolled = await enrolShops(coordinator, dir, shops, everyRoundPolicy);
    const { rounds } = await runRounds({
      coordinator,
      shops: enrolled,
      rounds: 1,
      // Two bakeries: what is compared is the downloaded model, so a plain round without noise
      // (noise on a sum of two would swamp the one round this test can afford).
      settings: {
        mode: 'plain',
        noiseMultiplier: 0,
        localEpochs: 1,
        batchSize: 128,
        learningRate: 0.003,
        clipNorm: 2,
        minShops: 2,
      },
    });
    expect(rounds[0]).toMatchObject({ phase: 'published', uploads: 2 });

    backend = createBackend({ databasePath: join(dir, 'bakery-2.sqlite'), transport: 'http' });
    const progress: number[] = [];
    backend.context.events.subscribe((e) => {
      if (e.type === 'progress' && e.task === 'value') progress.push(e.done);
    });
    const result = await backend.dispatch('value.compare', { days: compareDays });
    if (!result.ok) throw new Error(result.error.message);
    const v = result.value as ValueOfJoining;

    // The compared days come from the bakery's own logs: its last open days, counted here.
    const last = first!.open.at(-1)!.date;
    const from = new Date(Date.parse(`${last}T00:00:00Z`) - (compareDays - 1) * 86_400_000)
      .toISOString()
      .slice(0, 10);
    const compared = first!.open.filter((d) => d.date >= from);
    expect(v).toMatchObject({ from, to: last, days: compared.length, products: 1 });
    expect(v.globalVersion).toBe(2);
    expect(v.adapted).toBe(true);
    expect(progress).toEqual([1, 2]);
    const sold = compared.reduce((s, d) => s + d.sold, 0);
    for (const f of [v.local, v.consortium]) {
      expect(f.wape).toBeGreaterThan(0.01);
      expect(f.wape).toBeLessThan(1);
      // Units: waste − shortage = Σ bake − Σ sold, so both are bounded by the real sales.
      expect(f.waste + f.shortage).toBeGreaterThan(0);
      expect(f.shortage).toBeLessThanOrEqual(sold);
      // Money follows from the units with the product's cost and margin.
      expect(f.wasteCost).toBeCloseTo(f.waste * cost, 6);
      expect(f.lostMargin).toBeCloseTo(f.shortage * (price - cost), 6);
    }
    expect(v.saved.waste).toBe(v.local.waste - v.consortium.waste);
    expect(v.saved.shortage).toBe(v.local.shortage - v.consortium.shortage);
    expect(v.saved.money).toBeCloseTo(
      v.local.wasteCost! + v.local.lostMargin! - v.consortium.wasteCost! - v.consortium.lostMargin!,
      2,
    );
    expect(v.unpricedProducts).toEqual([]);
  });
});
