import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../../cli/main.ts';
import type { LocalTrainer } from '../../electron/sync/trainer.ts';
import {
  enrolShops,
  everyRoundPolicy,
  heldGlobalModel,
  startLocalCoordinator,
  type RunningCoordinator,
} from '../../simulation/consortium.ts';
import { simulate } from '../../simulation/simulate.ts';
import { initTrainer } from '../../federated/model/train.ts';
import { bakeryChainCsv as chain } from '../../electron/logs/demo.ts';

const stores = ['2', '17', '25'];
const from = '2018-10-01';
const holdout = 21;

/** A small slice of the real chain file: three stores, seven months. */
function writeSlice(dir: string): { path: string; rows: Record<string, string>[] } {
  const [header, ...lines] = readFileSync(chain, 'utf8').trim().split('\n');
  const columns = header!.split(',');
  const kept = lines.filter((line) => {
    const f = line.split(',');
    return f[0]! >= from && stores.includes(f[1]!);
  });
  const path = join(dir, 'chain-slice.csv');
  writeFileSync(path, [header, ...kept].join('\n') + '\n');
  const rows = kept.map((line) =>
    Object.fromEntries(line.split(',').map((v, i) => [columns[i]!, v])),
  );
  return { path, rows };
}

/** A shop that joins after the rounds only to download what was published; it never trains. */
const bystander: LocalTrainer = {
  train: () => Promise.reject(new Error('a bystander does not train')),
  evaluate: () => Promise.resolve(null),
};

async function publishedModel(coordinator: RunningCoordinator, dir: string): Promise<Float32Array> {
  const [shop] = await enrolShops(
    coordinator,
    dir,
    [{ id: 'bystander', name: 'Bystander', trainer: bystander }],
    everyRoundPolicy,
  );
  try {
    await shop!.client.runOnce({ ignoreBackoff: true });
    return heldGlobalModel(shop!).weights;
  } finally {
    shop!.db.close();
  }
}

const addDays = (date: string, n: number) =>
  new Date(Date.parse(`${date}T00:00:00Z`) + n * 86_400_000).toISOString().slice(0, 10);

/** Same weekday last week, recomputed here from the CSV alone, over the held-out open days. */
function naiveByStore(rows: Record<string, string>[]) {
  const result = new Map<string, { wape: number; waste: number; shortage: number; days: number }>();
  for (const store of stores) {
    const mine = rows.filter((r) => r.store === store);
    const open = mine.filter((r) => r.closed === '0');
    const last = open
      .map((r) => r.date!)
      .sort()
      .at(-1)!;
    const first = addDays(last, -holdout + 1);
    const sold = new Map(open.map((r) => [`${r.product}|${r.date}`, Number(r.sold)]));
    let abs = 0;
    let total = 0;
    let waste = 0;
    let shortage = 0;
    const days = new Set<string>();
    for (const r of open) {
      if (r.date! < first) continue;
      const back = [7, 14, 21]
        .map((d) => sold.get(`${r.product}|${addDays(r.date!, -d)}`))
        .find((v) => v !== undefined);
      if (back === undefined) continue;
      const s = Number(r.sold);
      abs += Math.abs(back - s);
      total += s;
      waste += Math.max(back - s, 0);
      shortage += Math.max(s - back, 0);
      days.add(r.date!);
    }
    result.set(store, { wape: abs / total, waste, shortage, days: days.size });
  }
  return result;
}

describe('breadcast simulate', () => {
  it('runs two federated rounds over HTTP on real chain data and scores every method on the held-out days', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'breadcast-sim-test-'));
    const { path, rows } = writeSlice(dir);
    const out: string[] = [];
    const err: string[] = [];
    const code = await main(
      [
        'simulate',
        '--data',
        path,
        '--holdout-days',
        String(holdout),
        '--train-days',
        '100',
        '--rounds',
        '2',
        '--json',
      ],
      { out: (l) => out.push(l), err: (l) => err.push(l), interactive: false },
    );
    expect(err).toEqual([]);
    expect(code).toBe(0);
    expect(out).toHaveLength(1);
    const result = JSON.parse(out[0]!) as {
      shops: {
        id: string;
        trainDays: number;
        testDays: number;
        wape: Record<string, number>;
        waste: Record<string, number>;
        shortage: Record<string, number>;
      }[];
      overall: Record<'wape' | 'waste' | 'shortage', Record<string, number>>;
      rounds: number;
      backend: string;
      roundLog: { phase: string; uploads: number }[];
    };
    expect(result.rounds).toBe(2);
    expect(result.roundLog.map((r) => [r.phase, r.uploads])).toEqual([
      ['published', 3],
      ['published', 3],
    ]);
    expect(result.backend).toBe(await initTrainer());
    expect(result.shops.map((s) => s.id)).toEqual(stores.map((s) => `chain-slice#${s}`));

    const methods = ['federated', 'local', 'centralized', 'naive'];
    const naive = naiveByStore(rows);
    for (const shop of result.shops) {
      const store = shop.id.split('#')[1]!;
      expect(shop.trainDays).toBeGreaterThan(60);
      expect(shop.trainDays).toBeLessThanOrEqual(100);
      for (const figure of ['wape', 'waste', 'shortage'] as const) {
        expect(Object.keys(shop[figure]).sort()).toEqual([...methods].sort());
        for (const m of methods) expect(Number.isFinite(shop[figure][m])).toBe(true);
      }
      // The naive figures follow from the CSV alone: recomputed here independently.
      const expected = naive.get(store)!;
      expect(shop.testDays).toBe(expected.days);
      expect(shop.wape.naive).toBeCloseTo(expected.wape, 10);
      expect(shop.waste.naive).toBe(expected.waste);
      expect(shop.shortage.naive).toBe(expected.shortage);
      // Models forecast these real days: a sane error, neither perfect nor absurd.
      for (const m of ['federated', 'local', 'centralized']) {
        expect(shop.wape[m]).toBeGreaterThan(0.02);
        expect(shop.wape[m]).toBeLessThan(1);
        expect(shop.waste[m]! + shop.shortage[m]!).toBeGreaterThan(0);
      }
    }
    // Overall figures are the sums over the shops (units) and a sold-weighted WAPE.
    for (const m of methods) {
      expect(result.overall.waste[m]).toBe(result.shops.reduce((s, x) => s + x.waste[m]!, 0));
      expect(result.overall.shortage[m]).toBe(result.shops.reduce((s, x) => s + x.shortage[m]!, 0));
    }
    const naiveWaste = [...naive.values()].reduce((s, n) => s + n.waste, 0);
    expect(result.overall.waste.naive).toBe(naiveWaste);
    // Learning together beats baking what sold on the same weekday last week, on error and on
    // the cost of leftovers and missed sales.
    const cost = (m: string) => 0.3 * result.overall.waste[m]! + 0.7 * result.overall.shortage[m]!;
    expect(result.overall.wape.federated).toBeLessThan(result.overall.wape.naive!);
    expect(cost('federated')).toBeLessThan(cost('naive'));
  });

  it("a secure round publishes the plain round's model: exactly without noise, plus noise of the promised size with it", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'breadcast-sim-secure-'));
    const { path } = writeSlice(dir);
    // One round each from the same initial model, data and seed; equal votes in both modes.
    const run = async (name: string, secure: boolean, noiseMultiplier: number) => {
      const coordinator = await startLocalCoordinator({ dir: join(dir, name), seed: 1 });
      try {
        const result = await simulate({
          files: [path],
          holdoutDays: holdout,
          trainDays: 60,
          rounds: 1,
          seed: 1,
          secureAggregation: secure,
          noiseMultiplier,
          round: { weighting: 'equal' },
          coordinator: {
            url: coordinator.url,
            operator: coordinator.operatorName,
            password: coordinator.operatorPassword,
          },
        });
        expect(result.settings.round).toMatchObject({
          mode: secure ? 'secure' : 'plain',
          noiseMultiplier,
        });
        expect(result.roundLog).toEqual([
          expect.objectContaining({ phase: 'published', uploads: stores.length, resultVersion: 2 }),
        ]);
        return await publishedModel(coordinator, join(dir, name));
      } finally {
        await coordinator.close();
      }
    };
    const plain = await run('plain', false, 0);
    const exact = await run('secure', true, 0);
    const noisy = await run('noisy', true, 0.3);

    // Without noise only the fixed-point encoding separates them: float32 rounding.
    const exactDiff = exact.map((v, i) => v - plain[i]!);
    expect(Math.max(...exactDiff.map(Math.abs))).toBeLessThan(1e-6);

    // With noise z, the sum of the three clipped updates carries Gaussian noise of standard
    // deviation at least z·C (the privacy promise) and at most z·C·√3 (every shop's share at
    // full size); the published model is that sum over 3 added to the same start.
    const z = 0.3;
    const clipNorm = 2;
    const residual = noisy.map((v, i) => v - plain[i]!);
    const rms = Math.sqrt(residual.reduce((s, v) => s + v * v, 0) / residual.length);
    const mean = residual.reduce((s, v) => s + v, 0) / residual.length;
    expect(rms).toBeGreaterThan((0.9 * z * clipNorm) / stores.length);
    expect(rms).toBeLessThan((1.1 * z * clipNorm * Math.sqrt(stores.length)) / stores.length);
    expect(Math.abs(mean)).toBeLessThan((4 * rms) / Math.sqrt(residual.length));
  });

  it('refuses noise without secure aggregation instead of ignoring it', async () => {
    const err: string[] = [];
    const code = await main(['simulate', '--data', chain, '--noise-multiplier', '1'], {
      out: () => {},
      err: (l) => err.push(l),
      interactive: false,
    });
    expect(code).toBe(2);
    expect(err.join('\n')).toMatch(/needs --secure-aggregation/);
  });

  it('refuses a weighting it does not know', async () => {
    const err: string[] = [];
    const code = await main(['simulate', '--data', chain, '--weighting', 'volume'], {
      out: () => {},
      err: (l) => err.push(l),
      interactive: false,
    });
    expect(code).toBe(2);
    expect(err.join('\n')).toMatch(/--weighting: 'samples' or 'equal', not "volume"/);
  });
});
