/**
 * Levers for young bakeries, measured outside `simulate` on the same data, split and scoring:
 * one federated run (the real protocol, in-process coordinator) with the given round settings,
 * then several ways a bakery could turn the merged model into its forecast model, each scored
 * day-ahead on the held-out days against the pooled ("centralized") model:
 *
 * - `global`: the merged model as it is;
 * - `adapted`: the app's nightly training started from it (what `simulate` reports as federated);
 * - `adapted-3ep`: the same with three epochs only;
 * - `mix-0.5`: halfway between the merged and the adapted weights;
 * - `mix-chosen`: the mix in {0, ¼, ½, ¾, 1} that scored best (pinball) on the bakery's own last
 *   14 training days, adapted without them.
 *
 * nice -n 15 node --import tsx simulation/bench/personalisation.ts --data a.csv --data b.csv \
 *   [--train-days 60 (default: all)] [--holdout-days 28] [--rounds 5] [--weighting samples|equal] \
 *   [--local-epochs 3] [--server-momentum 0.9]
 * prints one JSON line: WAPE (%) per lever over all bakeries, the chain stores and each file.
 */
import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { basename } from 'node:path';
import { addDays } from '../../federated/calendar/dates.ts';
import type { RoundSettings } from '../../federated/protocol/index.ts';
import { trainingSettings } from '../../electron/forecast/training-settings.ts';
import { scoredDays, scoreModel, Tally } from '../../electron/forecast/day-ahead-scoring.ts';
import { loadBakeries, type SimBakery } from '../bakeries.ts';
import { federate } from '../federation.ts';
import { TrainingPool } from '../workers/training-pool.ts';

const criticalRatio = 0.7;
const validationDays = 14;
const mixes = [0, 0.25, 0.5, 0.75, 1];

const { values } = parseArgs({
  options: {
    data: { type: 'string', multiple: true },
    'train-days': { type: 'string' },
    'holdout-days': { type: 'string', default: '28' },
    rounds: { type: 'string', default: '5' },
    weighting: { type: 'string', default: 'samples' },
    'local-epochs': { type: 'string', default: '3' },
    'server-momentum': { type: 'string' },
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

const interpolate = (from: Float32Array, to: Float32Array, share: number) =>
  from.map((v, i) => (1 - share) * v + share * to[i]!);

const started = performance.now();
const cpuBefore = process.cpuUsage();
const loadBefore = loadavg()[0]!;
const bakeries = loadBakeries(files, {
  holdoutDays: Number(values['holdout-days']),
  ...(values['train-days'] !== undefined ? { trainDays: Number(values['train-days']) } : {}),
}).filter((b) => b.trainingSamples.length > 0);
const pool = new TrainingPool();
const tallies = new Map<string, Map<string, Tally>>();
const put = (lever: string, id: string, tally: Tally) =>
  (tallies.get(lever) ?? tallies.set(lever, new Map()).get(lever)!).set(id, tally);

async function levers(b: SimBakery, global: Float32Array, central: Float32Array): Promise<void> {
  const days = scoredDays(b.products, b.firstHoldout);
  const score = (lever: string, weights: Float32Array) =>
    put(lever, b.id, scoreModel(weights, days, criticalRatio));
  const settings = trainingSettings(b.trainingSamples.length);
  const adapt = async (samples: typeof b.trainingSamples, epochs?: number) =>
    (
      await pool.train({
        samples,
        initialWeights: global,
        ...trainingSettings(samples.length),
        ...(epochs !== undefined ? { epochs } : {}),
        seed: 1,
      })
    ).weights;
  score('centralized', central);
  score('global', global);
  const adapted = await adapt(b.trainingSamples);
  score('adapted', adapted);
  score('adapted-3ep', await adapt(b.trainingSamples, Math.min(3, settings.epochs)));
  score('mix-0.5', interpolate(global, adapted, 0.5));
  const cut = addDays(b.firstHoldout, -validationDays);
  const fit = b.trainingSamples.filter((s) => s.date < cut);
  const held = b.trainingSamples.filter((s) => s.date >= cut);
  const fitted = fit.length > 0 ? await adapt(fit) : global;
  const losses: number[] = [];
  for (const share of mixes)
    losses.push((await pool.evaluate(interpolate(global, fitted, share), held)).pinball);
  const chosen = mixes[losses.indexOf(Math.min(...losses))]!;
  score('mix-chosen', interpolate(global, adapted, chosen));
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
      seconds: Math.round((performance.now() - started) / 1000),
      cpuSeconds: Math.round((cpu.user + cpu.system) / 1e6),
      load: [loadBefore, loadavg()[0]!].map((l) => Math.round(l * 10) / 10),
    }),
  );
} finally {
  await pool.close();
}
