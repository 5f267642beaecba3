/**
 * Levers for consortium bakeries, measured outside `simulate` on the same data, split and
 * scoring: one federated run (the real protocol, in-process coordinator) with the given round
 * settings, then several ways a bakery could turn the merged model into its forecast, each scored
 * day-ahead on the held-out days against the pooled ("centralized") model:
 *
 * - `global`: the merged model as it is;
 * - `adapted`: the app's nightly training started from it;
 * - `personal`: the model between the two that the bakery's history warrants (`personalShare`);
 * - `local`: the bakery's own model trained alone;
 * - `ens-0.25`: the quantile forecasts of `personal` and `local` averaged, ¼ for `local`;
 * - `seeds-3`: `personal` from three adaptation seeds, their quantile forecasts averaged;
 * - `lr-half`, `lr-quarter` (`-seeds-3`): the same adapted at ½ or ¼ of the learning rate;
 * - `…+local(-seeds)-0.25|0.33`: that average blended with the local model (of 3 seeds);
 * - `product`: what the app forecasts with (`consortiumModel`: lr-quarter-seeds-3+local-seeds-0.33).
 *
 * With `--gbdt FILE` (the `--save-predictions` file of simulation/reference/gbdt_reference.py
 * for the same data and holdout) each lever is also compared bakery by bakery with the pooled
 * GBDT on the same product-days.
 *
 * nice -n 15 node --import tsx simulation/bench/personalisation.ts --data a.csv --data b.csv \
 *   [--train-days 60 (default: all)] [--holdout-days 28] [--rounds 5] [--weighting samples|equal] \
 *   [--local-epochs E] [--server-momentum 0.9] [--gbdt gbdt56.csv]
 * (weighting and local epochs default to the coordinator's round defaults)
 * prints one JSON line: WAPE (%) per lever over all bakeries, the chain stores and each file.
 */
import { readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { basename } from 'node:path';
import { parse } from 'csv-parse/sync';
import { defaultRoundSettings, type RoundSettings } from '../../federated/protocol/index.ts';
import type { Quantiles } from '../../federated/decisions/quantile-function.ts';
import { trainingSettings } from '../../electron/forecast/training-settings.ts';
import { ownDays, personalise, personalShare } from '../../electron/forecast/consortium-model.ts';
import {
  dayQuantiles,
  scoredDays,
  scoreQuantiles,
  Tally,
  type ScoredDay,
} from '../../electron/forecast/day-ahead-scoring.ts';
import { loadBakeries, type SimBakery } from '../bakeries.ts';
import { federate } from '../federation.ts';
import { TrainingPool } from '../workers/training-pool.ts';

const criticalRatio = 0.7;

const { values } = parseArgs({
  options: {
    data: { type: 'string', multiple: true },
    'train-days': { type: 'string' },
    'holdout-days': { type: 'string', default: '28' },
    rounds: { type: 'string', default: '5' },
    weighting: { type: 'string', default: defaultRoundSettings.weighting },
    'local-epochs': { type: 'string', default: String(defaultRoundSettings.localEpochs) },
    'server-momentum': { type: 'string' },
    gbdt: { type: 'string' },
  },
});
const files = values.data ?? [];
if (files.length === 0) throw new Error('--data FILE (repeatable) is required');
const rounds = Number(values.rounds);
const round: Partial<RoundSettings> = {
  weighting: values.weighting === 'equal' ? 'equal' : 'samples',
  localEpochs: Number(values['local-epochs']),
  ...(values['server-momentum'] !== undefined
    ? {
        serverOptimizer: {
          kind: 'fedavgm',
          learningRate: 1,
          momentum: Number(values['server-momentum']),
        },
      }
    : {}),
};

/** Quantile forecasts averaged level by level (`shares` sum to 1); averages stay ordered. */
const blend = (forecasts: Quantiles[][], shares: number[]): Quantiles[] =>
  forecasts[0]!.map((_, i) => {
    const out = { p10: 0, p25: 0, p50: 0, p75: 0, p90: 0 };
    forecasts.forEach((f, k) => {
      for (const key of Object.keys(out) as (keyof Quantiles)[])
        out[key] += shares[k]! * f[i]![key];
    });
    return out;
  });

/** The pooled GBDT's median per `bakery|product|date`, from gbdt_reference.py's predictions. */
function gbdtMedians(path: string): Map<string, number> {
  const rows = parse(readFileSync(path, 'utf8'), { columns: true }) as Record<string, string>[];
  return new Map(rows.map((r) => [`${r.bakery}|${r.product}|${r.date}`, Number(r.pooled_median)]));
}

const started = performance.now();
const cpuBefore = process.cpuUsage();
const loadBefore = loadavg()[0]!;
const bakeries = loadBakeries(files, {
  holdoutDays: Number(values['holdout-days']),
  ...(values['train-days'] !== undefined ? { trainDays: Number(values['train-days']) } : {}),
}).filter((b) => b.trainingSamples.length > 0);
const gbdt = values.gbdt !== undefined ? gbdtMedians(values.gbdt) : null;
const pool = new TrainingPool();
const tallies = new Map<string, Map<string, Tally>>();
const put = (lever: string, id: string, tally: Tally) =>
  (tallies.get(lever) ?? tallies.set(lever, new Map()).get(lever)!).set(id, tally);

/** The pooled GBDT's WAPE on one bakery's scored days (null when a day has no prediction). */
function gbdtWape(b: SimBakery, days: ScoredDay[]): number | null {
  if (!gbdt) return null;
  let err = 0;
  let sold = 0;
  for (const d of days) {
    const median = gbdt.get(`${b.id}|${d.product.name}|${d.date}`);
    if (median === undefined) return null;
    err += Math.abs(median - d.sold);
    sold += d.sold;
  }
  return sold > 0 ? err / sold : 0;
}

const gbdtTally = new Map<string, { err: number; sold: number }>();

async function levers(b: SimBakery, global: Float32Array, central: Float32Array): Promise<void> {
  const days = scoredDays(b.products, b.firstHoldout);
  const settings = trainingSettings(b.trainingSamples.length);
  const score = (lever: string, quantiles: Quantiles[]) =>
    put(lever, b.id, scoreQuantiles(quantiles, days, criticalRatio));
  const of = (weights: Float32Array) => dayQuantiles(weights, days);
  const adapt = async (change: Partial<typeof settings> & { seed?: number } = {}) =>
    (
      await pool.train({
        samples: b.trainingSamples,
        initialWeights: global,
        ...settings,
        seed: 1,
        ...change,
      })
    ).weights;
  const share = personalShare(ownDays(b.trainingSamples));
  const personal = (adapted: Float32Array) => of(personalise(global, adapted, share));
  score('centralized', of(central));
  score('global', of(global));
  const lr = settings.learningRate;
  const seeds = [1, 2, 3];
  const [adapted, half, quarter, locals] = await Promise.all([
    Promise.all(seeds.map((seed) => adapt({ seed }))),
    Promise.all(seeds.map((seed) => adapt({ seed, learningRate: lr / 2 }))),
    Promise.all(seeds.map((seed) => adapt({ seed, learningRate: lr / 4 }))),
    Promise.all(
      seeds.map((seed) =>
        pool.train({ samples: b.trainingSamples, ...settings, seed }).then((t) => t.weights),
      ),
    ),
  ]);
  const third = [1 / 3, 1 / 3, 1 / 3];
  const local = of(locals[0]!);
  const localSeeds = blend(locals.map(of), third);
  score('adapted', of(adapted[0]!));
  score('personal', personal(adapted[0]!));
  score('local', local);
  score('ens-0.25', blend([personal(adapted[0]!), local], [0.75, 0.25]));
  score('seeds-3', blend(adapted.map(personal), third));
  score('lr-half', personal(half[0]!));
  score('lr-half-seeds-3', blend(half.map(personal), third));
  score('lr-quarter', personal(quarter[0]!));
  const quarterSeeds = blend(quarter.map(personal), third);
  score('lr-quarter-seeds-3', quarterSeeds);
  const halfSeeds = blend(half.map(personal), third);
  score('lr-half-seeds-3+local-0.25', blend([halfSeeds, local], [0.75, 0.25]));
  score('lr-half-seeds-3+local-seeds-0.25', blend([halfSeeds, localSeeds], [0.75, 0.25]));
  score('lr-quarter-seeds-3+local-seeds-0.25', blend([quarterSeeds, localSeeds], [0.75, 0.25]));
  score('lr-half-seeds-3+local-seeds-0.33', blend([halfSeeds, localSeeds], [2 / 3, 1 / 3]));
  score('lr-quarter-seeds-3+local-seeds-0.33', blend([quarterSeeds, localSeeds], [2 / 3, 1 / 3]));
  score(
    'seeds-3+local-seeds-0.25',
    blend([blend(adapted.map(personal), third), localSeeds], [0.75, 0.25]),
  );
  const g = gbdtWape(b, days);
  if (g !== null) {
    const sold = days.reduce((sum, d) => sum + d.sold, 0);
    gbdtTally.set(b.id, { err: g * sold, sold });
  }
}

try {
  const pooled = bakeries.flatMap((b) => b.trainingSamples);
  const [central, federated] = await Promise.all([
    pool.train({ samples: pooled, ...trainingSettings(pooled.length), seed: 1 }),
    federate({ files, rounds, round }, bakeries, pool, 1, rounds, () => {}),
  ]);
  await Promise.all(
    bakeries.map(async (b) => {
      const global = federated.models.get(b.id);
      if (global) await levers(b, global, central.weights);
    }),
  );
  const wape = (m: Map<string, Tally>, keep: (id: string) => boolean) => {
    const total = new Tally();
    for (const [id, t] of m) if (keep(id)) total.merge(t);
    return Math.round(total.figures().wape * 10_000) / 100;
  };
  const groups: Record<string, (id: string) => boolean> = {
    all: () => true,
    ...Object.fromEntries(
      files.map((f) => {
        const name = basename(f).replace(/\.csv$/i, '');
        return [name, (id: string) => id === name || id.startsWith(`${name}#`)];
      }),
    ),
  };
  const againstGbdt =
    gbdtTally.size === bakeries.length
      ? (() => {
          const pct = (err: number, sold: number) => Math.round((err / sold) * 10_000) / 100;
          let err = 0;
          let sold = 0;
          for (const t of gbdtTally.values()) {
            err += t.err;
            sold += t.sold;
          }
          const pooledWape = pct(err, sold);
          return {
            pooledGbdt: pooledWape,
            levers: Object.fromEntries(
              [...tallies].map(([lever, m]) => [
                lever,
                {
                  ratio: Math.round((wape(m, () => true) / pooledWape) * 1000) / 1000,
                  better: [...m].filter(([id, t]) => {
                    const g = gbdtTally.get(id)!;
                    return t.figures().wape < g.err / g.sold;
                  }).length,
                },
              ]),
            ),
          };
        })()
      : null;
  const cpu = process.cpuUsage(cpuBefore);
  console.log(
    JSON.stringify({
      rounds: federated.roundLog.filter((r) => r.phase === 'published').length,
      round,
      failures: federated.failures.length,
      byBakery: Object.fromEntries(
        bakeries.map((b) => [
          b.id,
          Object.fromEntries(
            [...tallies].map(([lever, m]) => [lever, wape(m, (id) => id === b.id)]),
          ),
        ]),
      ),
      wape: Object.fromEntries(
        [...tallies].map(([lever, m]) => [
          lever,
          Object.fromEntries(Object.entries(groups).map(([g, keep]) => [g, wape(m, keep)])),
        ]),
      ),
      againstGbdt,
      seconds: Math.round((performance.now() - started) / 1000),
      cpuSeconds: Math.round((cpu.user + cpu.system) / 1e6),
      load: [loadBefore, loadavg()[0]!].map((l) => Math.round(l * 10) / 10),
    }),
  );
} finally {
  await pool.close();
}
