import { existsSync } from 'node:fs';
import { openDatabase } from '../../electron/store/database.ts';
import { loadHistories } from '../../electron/forecast/histories.ts';
import { startBacktest } from '../../electron/forecast/training-job.ts';
import { optionalNumber, requireString, UsageError, type Command } from '../command.ts';

export const backtestCommand: Command = {
  name: 'backtest',
  summary:
    'Day-ahead backtest over the last N days: the model (trained once before them) against same-weekday-last-week.',
  options: {
    db: { type: 'string', value: 'FILE', description: 'The bakery database.', required: true },
    'holdout-days': { type: 'string', value: 'N', description: 'Days to score (default 56).' },
    json: {
      type: 'boolean',
      description:
        'Print one JSON line {"days","products","model":{"wape","waste","shortage","cost","coverage":{"p10","p90"},"pinball"},"naive":{…, "coverage":null}} (plus backend, trainingSeconds).',
    },
  },
  async run(options, io) {
    const dbPath = requireString(options, 'db');
    if (!existsSync(dbPath)) throw new UsageError(`--db: no such file "${dbPath}"`);
    const holdoutDays =
      optionalNumber(options, 'holdout-days', { integer: true, min: 7, max: 365 }) ?? 56;
    const db = openDatabase(dbPath, { readonly: true });
    let products;
    try {
      products = loadHistories(db);
    } finally {
      db.close();
    }
    if (products.every((p) => p.history.days.every((d) => d.sold === null))) {
      io.err('No sales logged yet: nothing to backtest.');
      return 1;
    }
    const r = await startBacktest(
      products,
      holdoutDays,
      io.interactive && !options.json
        ? ({ done, total }) => process.stderr.write(`\rtraining epoch ${done}/${total}   `)
        : undefined,
    ).promise;
    if (io.interactive && !options.json) process.stderr.write('\n');
    const round4 = (v: number) => Math.round(v * 10000) / 10000;
    const fig = (f: typeof r.model) => ({
      wape: round4(f.wape),
      waste: f.waste,
      shortage: f.shortage,
      cost: Math.round(f.cost * 10) / 10,
      coverage: f.coverage && { p10: round4(f.coverage.p10), p90: round4(f.coverage.p90) },
      pinball: round4(f.pinball),
      calibrated: f.calibrated && {
        coverage: f.calibrated.coverage && {
          p10: round4(f.calibrated.coverage.p10),
          p90: round4(f.calibrated.coverage.p90),
        },
        pinball: round4(f.calibrated.pinball),
      },
    });
    if (options.json) {
      io.out(
        JSON.stringify({
          days: r.days,
          products: r.products,
          model: fig(r.model),
          naive: fig(r.naive),
          holdoutDays: r.holdoutDays,
          criticalRatio: r.criticalRatio,
          trainingSeconds: Math.round(r.trainingSeconds * 10) / 10,
          backend: r.backend,
        }),
      );
      return 0;
    }
    io.out(`Backtest: ${r.days} days × ${r.products} products (last ${r.holdoutDays} days).`);
    io.out(r.method);
    io.out(`Training: ${r.trainingSeconds.toFixed(1)} s on ${r.backend}.`);
    const share = (v: number | undefined) =>
      (v === undefined ? '—' : `${(v * 100).toFixed(1)}%`).padStart(9);
    io.out(
      `${''.padEnd(8)} ${'WAPE'.padStart(8)} ${'waste'.padStart(9)} ${'short'.padStart(9)} ${'cost'.padStart(10)} ${'< p10'.padStart(9)} ${'< p90'.padStart(9)} ${'pinball'.padStart(8)}`,
    );
    for (const [name, f] of [
      ['model', r.model],
      ['naive', r.naive],
    ] as const)
      io.out(
        `${name.padEnd(8)} ${(f.wape * 100).toFixed(1).padStart(7)}% ${String(f.waste).padStart(9)} ${String(f.shortage).padStart(9)} ${f.cost.toFixed(1).padStart(10)} ${share(f.coverage?.p10)} ${share(f.coverage?.p90)} ${f.pinball.toFixed(4).padStart(8)}`,
      );
    const c = r.model.calibrated;
    if (c)
      io.out(
        `Model band calibrated on the 28 days before each day: ${share(c.coverage?.p10).trim()} below p10, ${share(c.coverage?.p90).trim()} below p90, pinball ${c.pinball.toFixed(4)}.`,
      );
    io.out('Calibrated bands: 10% of days below p10 and 90% below p90; pinball per unit sold.');
    return 0;
  },
};
