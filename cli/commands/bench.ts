import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { optionalNumber, UsageError, type Command } from '../command.ts';
import { benchTraining } from '../../simulation/bench/training.ts';
import { benchCoordinator } from '../../simulation/bench/coordinator.ts';
import { benchLine, benchReport, benchSecAgg } from '../../simulation/bench/secagg.ts';
import { benchNoise } from '../../simulation/bench/noise.ts';
import { noiseCost } from '../../simulation/bench/noise-cost.ts';
import { benchNightly } from '../../simulation/bench/nightly.ts';
import { simulate } from '../../simulation/simulate.ts';
import { startPostgres } from '../../simulation/postgres-server.ts';
import { formatLoadResult, runLoadScenario } from '../../simulation/load/load-scenario.ts';
import { formatSecureLoad, runSecureLoad } from '../../simulation/load/secure-load.ts';
import { formatTable } from '../../simulation/report.ts';
import { progressBars } from '../../simulation/progress.ts';

/** The coordinator bench on a PostgreSQL cluster of its own, removed afterwards. */
async function onTempPostgres(shops: number) {
  const server = await startPostgres();
  try {
    return await benchCoordinator({
      shops,
      database: await server.createDatabase('bench'),
      databaseCpuSeconds: () => server.cpuSeconds(),
    });
  } finally {
    await server.stop();
  }
}

const parts = [
  'training',
  'coordinator',
  'load',
  'secagg',
  'noise',
  'forecast',
  'noise-cost',
  'nightly',
] as const;
/**
 * Parts that run only when named: the noise cost is eight consortium simulations (~45 min); the
 * nightly job imports a 64-product, five-year bakery and trains it seven times (minutes).
 */
const namedOnly: readonly Part[] = ['noise-cost', 'nightly'];
type Part = (typeof parts)[number];

const sharedData = fileURLToPath(new URL('../../../shared/data/', import.meta.url));
const f1 = (v: number) => v.toFixed(1);

export const benchCommand: Command = {
  name: 'bench',
  summary:
    'Benchmarks, each against a baseline measured in the same run: training vs PyTorch, uploads vs /health, secure aggregation vs plain upload, forecast quality.',
  options: {
    only: {
      type: 'string',
      value: 'PART',
      multiple: true,
      description: `Run only these parts (${parts.join(', ')}).`,
    },
    json: {
      type: 'boolean',
      description:
        'One JSON line per part; with --only training: {"backend","samplesPerSecond","inputFeatures","hiddenUnits","outputs","batchSize","pytorch","ratioToPytorch",…}.',
    },
    postgres: {
      type: 'string',
      value: 'URL',
      multiple: true,
      description:
        'Also run the coordinator bench on this PostgreSQL database (postgres://…; it must be empty), or on a throwaway cluster started for the bench (temp).',
    },
    'secagg-500': {
      type: 'boolean',
      description: 'Also run the table at 250 and 500 shops (SecAgg+; several minutes).',
    },
    shops: {
      type: 'string',
      value: 'N',
      description:
        'With --only coordinator: N concurrent shops (default 1000). With --only load: N shops in the round (default 500). With --only secagg: one round of N shops; with --json prints {"shops","parameters","dropout","graph","neighbours","threshold","coordinatorSeconds","shopSeconds"}.',
    },
    secure: {
      type: 'boolean',
      description:
        'With --only load: a secure (SecAgg+) round instead of a plain one, against the coordinator service in a child process; shops poll every --poll seconds.',
    },
    'every-signature': {
      type: 'boolean',
      description:
        'With --only load --secure: every simulated shop checks all of the roster’s and the unmask request’s signatures itself (n² checks in one process) instead of reusing one check of byte-identical signatures (the harness option, on by default).',
    },
    processes: {
      type: 'string',
      value: 'P',
      description:
        'With --only load --secure: run the shops in P child processes (default 1: the bench process), so they can use the cores the coordinator leaves.',
    },
    poll: {
      type: 'string',
      value: 'S',
      description:
        'With --only load --secure: how often each shop polls (default: about 25 polls/s in all, at least every 2 s).',
    },
    spread: {
      type: 'string',
      value: 'S',
      description: 'With --only load: the shops start evenly spread over S seconds (default 55).',
    },
    parameters: {
      type: 'string',
      value: 'P',
      description: 'Parameters per update for --shops (default 10000).',
    },
    dropout: {
      type: 'string',
      value: 'D',
      description:
        'Fraction of shops vanishing after their masked upload, for --shops (default 0).',
    },
    colluders: {
      type: 'string',
      value: 'C',
      description:
        'Colluders the round is sized for, for --shops (default floor(n/3), capped where a neighbourhood cannot hold it).',
    },
    graph: {
      type: 'string',
      value: 'auto|complete|secagg+',
      description: 'Communication graph for --shops (default auto: SecAgg+ above the break-even).',
    },
    data: {
      type: 'string',
      value: 'DIR',
      description: 'Folder of daily-logs CSVs for the forecast table (default ../shared/data).',
    },
    rounds: {
      type: 'string',
      value: 'R',
      description: 'Federated rounds for the forecast table (default 5).',
    },
  },
  async run(options, io) {
    const only =
      (options.only as string[] | undefined) ?? parts.filter((p) => !namedOnly.includes(p));
    for (const part of only)
      if (!(parts as readonly string[]).includes(part))
        throw new UsageError(`--only: unknown part "${part}" (${parts.join(', ')})`);
    const run = (part: Part) => only.includes(part);
    const json = options.json === true;
    const say = (line: string) => {
      if (!json) io.out(line);
    };

    if (run('training')) {
      say('## Local training throughput (production model and settings, chain store 2)');
      const r = await benchTraining();
      if (json) io.out(JSON.stringify(only.length === 1 ? r : { part: 'training', ...r }));
      const rate = (t: { samplesPerSecond: number; bestSamplesPerSecond: number; runs: number }) =>
        `${Math.round(t.samplesPerSecond)} samples/s (median of ${t.runs} runs, best ${Math.round(t.bestSamplesPerSecond)})`;
      say(
        `${r.backend}: ${rate(r)}; ${r.samples} samples × ${r.epochs} epochs, batch ${r.batchSize} = ${r.trainingGflops.toFixed(2)} GFLOP/s`,
      );
      if ('missing' in r.pytorch) say(`PyTorch: not measured: ${r.pytorch.missing}`);
      else
        say(
          `baseline PyTorch ${r.pytorch.torch} (CPU, ${r.pytorch.threads} threads): ${rate(r.pytorch)} → ${r.ratioToPytorch!.toFixed(2)}× PyTorch`,
        );
      if (!('missing' in r.pytorchOneThread))
        say(`PyTorch on 1 thread: ${rate(r.pytorchOneThread)}`);
      for (const o of r.others) say(`${o.trainer}: ${Math.round(o.samplesPerSecond)} samples/s`);
      say(`(load average ${r.loadAverage.toFixed(1)} when the bench started)`);
    }

    if (run('coordinator')) {
      const shops = optionalNumber(options, 'shops', { integer: true, min: 1 }) ?? 1000;
      const databases = [undefined, ...((options.postgres as string[] | undefined) ?? [])];
      say(`## Coordinator: ${shops} shops upload a signed update at once`);
      for (const database of databases) {
        const r =
          database === 'temp'
            ? await onTempPostgres(shops)
            : await benchCoordinator({ shops, database });
        if (json) io.out(JSON.stringify(only.length === 1 ? r : { part: 'coordinator', ...r }));
        say(
          `${r.store}: ${f1(r.uploadsPerSecond)} accepted uploads/s (median of ${r.rounds} rounds), p50 ${r.p50Ms} ms, p99 ${r.p99Ms} ms; ${r.accepted} accepted, ${r.refused} refused; ${r.parameters} parameters`,
        );
        say(
          `  server CPU ${r.serverCpuMsPerUpload.toFixed(2)} ms per upload (main thread ${r.mainThreadCpuMsPerUpload.toFixed(2)})${r.databaseCpuMsPerUpload === undefined ? '' : ` (+ PostgreSQL ${r.databaseCpuMsPerUpload.toFixed(2)} ms)`}; baseline GET /health: ${f1(r.health.perSecond)}/s, p99 ${r.health.p99Ms} ms, server CPU ${r.health.serverCpuMsPerRequest.toFixed(2)} ms per request; CPU s: server ${f1(r.cpuSeconds.server)}, load generator ${f1(r.cpuSeconds.loadGenerator)}; load average ${r.loadAverage.toFixed(1)} at the start`,
        );
      }
    }

    if (run('load') && options.secure) {
      const shops = optionalNumber(options, 'shops', { integer: true, min: 3 }) ?? 500;
      const poll = optionalNumber(options, 'poll', { min: 0.1 });
      const colluders = optionalNumber(options, 'colluders', { integer: true, min: 0 });
      const processes = optionalNumber(options, 'processes', { integer: true, min: 1 });
      say(`## Load: a secure round of ${shops} shops`);
      const r = await runSecureLoad({
        shops,
        ...(poll === undefined ? {} : { pollMs: poll * 1000 }),
        ...(colluders === undefined ? {} : { colluders }),
        sharedChecks: !options['every-signature'],
        ...(processes === undefined ? {} : { processes }),
        onProgress: (line) => io.err(line),
      });
      if (json) io.out(JSON.stringify({ part: 'load', ...r }));
      for (const line of formatSecureLoad(r)) say(line);
    } else if (run('load')) {
      // Each shop enrolled with its own identity checks in and uploads within the spread.
      const shops = optionalNumber(options, 'shops', { integer: true, min: 1 }) ?? 500;
      const spread = optionalNumber(options, 'spread', { min: 0 }) ?? 55;
      // Enrolment is setup, not a step: above 1,000 shops it goes straight to the database.
      const r = await runLoadScenario({
        shops,
        spreadMs: spread * 1000,
        enrolInDatabase: shops > 1000,
      });
      if (json) io.out(JSON.stringify({ part: 'load', ...r }));
      say(`## Load: ${shops} shops checking in and uploading within ${spread} s`);
      for (const line of formatLoadResult(r)) say(line);
    }

    if (run('secagg')) {
      if (options.shops !== undefined) {
        const graph = (options.graph as string | undefined) ?? 'auto';
        if (!['auto', 'complete', 'secagg+'].includes(graph))
          throw new UsageError('--graph: auto, complete or secagg+');
        const colluders = optionalNumber(options, 'colluders', { integer: true, min: 0 });
        const r = await benchSecAgg({
          shops: optionalNumber(options, 'shops', { integer: true, min: 3, max: 10_000 })!,
          parameters:
            optionalNumber(options, 'parameters', { integer: true, min: 1, max: 10_000_000 }) ??
            10_000,
          dropout: optionalNumber(options, 'dropout', { min: 0, max: 0.33 }) ?? 0,
          colluders: colluders ?? null,
          graph: graph as 'auto' | 'complete' | 'secagg+',
        });
        // With --json the one line goes to stdout and the per-phase report to stderr.
        if (json) io.out(benchLine(r));
        for (const line of benchReport(r)) {
          if (json) io.err(line);
          else io.out(line);
        }
      } else {
        say('## Secure aggregation per round, 10,000 parameters, no dropout');
        for (const shops of options['secagg-500'] ? [10, 100, 250, 500] : [10, 100]) {
          const r = await benchSecAgg({ shops, parameters: 10_000, dropout: 0 });
          if (json) io.out(JSON.stringify({ part: 'secagg', ...r }));
          for (const line of benchReport(r)) say(line);
        }
      }
    }

    if (run('noise')) {
      say('## Noise and encoding of one shop’s contribution (CPU ms, best of 5)');
      say(
        '| parameters | shops | share σ (grid units) | discrete Gaussian | whole encoding | baseline: 53-bit uniforms |',
      );
      say('| ---: | ---: | ---: | ---: | ---: | ---: |');
      for (const shops of [20, 10_000]) {
        const r = benchNoise(100_000, shops);
        if (json) io.out(JSON.stringify({ part: 'noise', ...r }));
        say(
          `| ${r.parameters} | ${r.shops} | ${Math.round(Math.sqrt(r.shareVariance))} | ${f1(r.samplerMs)} | ${f1(r.encodeMs)} | ${f1(r.uniformsMs)} |`,
        );
      }
    }

    if (run('noise-cost')) {
      const dir = typeof options.data === 'string' ? options.data : sharedData;
      const file = join(dir, 'bakery-chain.csv');
      if (!existsSync(file)) throw new UsageError(`--data: no bakery-chain.csv in "${dir}"`);
      const bars = progressBars(io.interactive && !json);
      const rows = await noiseCost(file, (p) => bars.update(p)).finally(() => bars.stop());
      say('## Noise against forecast quality: 20 young chain bakeries, 5 secure rounds');
      say(
        '| clip norm C | noise z | ε per round | ε per year (365) | rounds | WAPE federated | merged model alone | WAPE local | cost federated / local | federated beats local |',
      );
      say('| ---: | ---: | ---: | ---: | --- | ---: | ---: | ---: | --- | --- |');
      const pct = (v: number) => `${(100 * v).toFixed(2)}%`;
      const eps = (v: number) => (Number.isFinite(v) ? v.toFixed(1) : '∞');
      for (const r of rows) {
        if (json) io.out(JSON.stringify({ part: 'noise-cost', ...r }));
        say(
          `| ${r.clipNorm} | ${r.noiseMultiplier} | ${eps(r.epsilonPerRound)} | ${eps(r.epsilonPerYear)} | ${r.rounds} of 5 | ${pct(r.wapeFederated)} | ${pct(r.wapeMergedOnly)} | ${pct(r.wapeLocal)} | ${Math.round(r.costFederated)} / ${Math.round(r.costLocal)} | ${r.federatedBeatsLocal} of ${r.shops} |`,
        );
      }
    }

    if (run('nightly')) {
      const source = join(sharedData, 'french-bakery.csv');
      if (!existsSync(source))
        throw new UsageError(`the nightly bench grows its bakeries from ${source}`);
      say(
        '## The nightly job (train + forecast): one network alone against the six-network consortium model',
      );
      say(
        '| bakery | samples | networks | CPU s (of which training) | wall s | peak RSS MB | six / one: CPU, wall, RSS |',
      );
      say('| --- | ---: | ---: | ---: | ---: | ---: | --- |');
      const f2 = (v: number) => v.toFixed(2);
      await benchNightly(source, (b) => {
        if (json) io.out(JSON.stringify({ part: 'nightly', ...b }));
        for (const n of [b.one, b.six])
          say(
            `| ${b.products} products × ${b.years} y (${n.mode}) | ${n.samples} | ${n.networks} | ${f2(n.cpuSeconds)} (${f2(n.trainCpuSeconds)}) | ${f2(n.wallSeconds)} | ${Math.round(n.peakRssMb)} | ${n.mode === 'six' ? `${f2(b.ratio.cpu)}× / ${f2(b.ratio.wall)}× / ${f2(b.ratio.rss)}×` : 'baseline'} |`,
          );
      });
    }

    if (run('forecast')) {
      const dir = typeof options.data === 'string' ? options.data : sharedData;
      if (!existsSync(dir)) throw new UsageError(`--data: no such folder "${dir}"`);
      const files = readdirSync(dir)
        .filter((f) => f.endsWith('.csv'))
        .sort()
        .map((f) => join(dir, f));
      const bars = progressBars(io.interactive && !json);
      const result = await simulate({
        files,
        holdoutDays: 56,
        rounds: optionalNumber(options, 'rounds', { integer: true, min: 1, max: 200 }) ?? 5,
        onProgress: (p) => bars.update(p),
      }).finally(() => bars.stop());
      if (json) io.out(JSON.stringify({ part: 'forecast', ...result }));
      say(
        `## Forecast quality (${files.map((f) => f.split('/').at(-1)).join(', ')}; last 56 days held out)`,
      );
      for (const line of formatTable(result)) say(line);
    }
    return 0;
  },
};
