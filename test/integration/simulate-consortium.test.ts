import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { main } from '../../cli/main.ts';

const chain = new URL('../../../shared/data/bakery-chain.csv', import.meta.url);
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
    expect(result.backend).toBe('fused-wasm-simd');
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
  });

  it('runs secure-aggregation rounds with noise when asked (masked uploads, noise shares)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'breadcast-sim-secure-'));
    const { path } = writeSlice(dir);
    const out: string[] = [];
    const code = await main(
      [
        'simulate',
        '--data',
        path,
        '--holdout-days',
        String(holdout),
        '--train-days',
        '60',
        '--rounds',
        '1',
        '--secure-aggregation',
        '--noise-multiplier',
        '0.3',
        '--json',
      ],
      { out: (l) => out.push(l), err: () => {}, interactive: false },
    );
    expect(code).toBe(0);
    const result = JSON.parse(out[0]!) as {
      rounds: number;
      roundLog: { phase: string; uploads: number }[];
      settings: { round: { mode: string; noiseMultiplier: number } };
      overall: Record<'wape' | 'waste' | 'shortage', Record<string, number>>;
    };
    expect(result.settings.round).toMatchObject({ mode: 'secure', noiseMultiplier: 0.3 });
    expect(result.roundLog).toEqual([expect.objectContaining({ phase: 'published', uploads: 3 })]);
    for (const figure of ['wape', 'waste', 'shortage'] as const)
      for (const v of Object.values(result.overall[figure])) expect(Number.isFinite(v)).toBe(true);
  });

  it('refuses noise without secure aggregation instead of ignoring it', async () => {
    const err: string[] = [];
    const code = await main(
      ['simulate', '--data', fileURLToPath(chain), '--noise-multiplier', '1'],
      { out: () => {}, err: (l) => err.push(l), interactive: false },
    );
    expect(code).toBe(2);
    expect(err.join('\n')).toMatch(/needs --secure-aggregation/);
  });
});
