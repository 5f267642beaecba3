import { existsSync } from 'node:fs';
import { optionalNumber, UsageError, type Command } from '../command.ts';
import { progressBars } from '../../simulation/progress.ts';
import { simulate, type SimulationOptions } from '../../simulation/simulate.ts';
import { formatTable } from '../../simulation/report.ts';
import { writeForecasts } from '../../simulation/forecasts-file.ts';

export const simulateCommand: Command = {
  name: 'simulate',
  summary:
    'Simulate a consortium on CSV histories: federated (real protocol over HTTP) vs local, centralized and same-weekday-last-week.',
  options: {
    data: {
      type: 'string',
      value: 'FILE',
      multiple: true,
      required: true,
      description: 'Daily-logs CSV; every distinct (file, store) is one bakery.',
    },
    'holdout-days': {
      type: 'string',
      value: 'H',
      description: 'Last days kept for scoring (default 28).',
    },
    rounds: { type: 'string', value: 'R', description: 'Federated rounds (default 5).' },
    'secure-aggregation': {
      type: 'boolean',
      description: 'Run secure-aggregation rounds (masked uploads).',
    },
    'noise-multiplier': {
      type: 'string',
      value: 'Z',
      description: 'Gaussian noise multiplier of the sum (needs --secure-aggregation).',
    },
    dropout: {
      type: 'string',
      value: 'P',
      description: 'Probability a bakery is offline for a round (default 0).',
    },
    'critical-ratio': {
      type: 'string',
      value: 'CR',
      description: 'Bake the demand quantile at CR (default 0.7).',
    },
    'train-days': {
      type: 'string',
      value: 'N',
      description: 'Keep only each bakery’s last N days before the holdout (a young bakery).',
    },
    seed: {
      type: 'string',
      value: 'S',
      description: 'Seed for training and dropouts (default 1).',
    },
    'local-epochs': {
      type: 'string',
      value: 'E',
      description: "Local epochs per round (default: the coordinator's, 6).",
    },
    'clip-norm': { type: 'string', value: 'C', description: 'Update clip norm (default 2).' },
    'max-sample-weight': {
      type: 'string',
      value: 'N',
      description:
        'With sample weighting: training samples at which a bakery’s weight stops growing (default 100000).',
    },
    weighting: {
      type: 'string',
      value: 'W',
      description:
        "How updates are weighted: 'samples' (by sample count) or 'equal' (one vote per bakery; default: the coordinator's, equal).",
    },
    coordinator: {
      type: 'string',
      value: 'URL',
      description:
        'Use this coordinator instead of an in-process one (operator from --operator, password from BREADCAST_OPERATOR_PASSWORD).',
    },
    operator: { type: 'string', value: 'NAME', description: 'Operator name for --coordinator.' },
    threads: {
      type: 'string',
      value: 'N',
      description: 'Training threads (default: one per core).',
    },
    forecasts: {
      type: 'string',
      value: 'FILE',
      description:
        'Write every scored day with each method’s forecast to FILE (CSV), e.g. for simulation/reference/gbdt_reference.py.',
    },
    json: {
      type: 'boolean',
      description:
        'Print one JSON object {"shops":[{"id","trainDays","testDays","wape","waste","shortage","coverage":{"p10","p90"},"pinball","calibrated":{"coverage","pinball"},"failures"}],"overall","rounds","backend"}.',
    },
  },
  async run(options, io) {
    const files = (options.data as string[] | undefined) ?? [];
    for (const file of files)
      if (!existsSync(file)) throw new UsageError(`--data: no such file "${file}"`);
    const secure = options['secure-aggregation'] === true;
    const noise = optionalNumber(options, 'noise-multiplier', { min: 0, max: 100 });
    if (noise !== undefined && noise > 0 && !secure)
      throw new UsageError(
        '--noise-multiplier needs --secure-aggregation (shops add the noise as shares of the masked sum)',
      );
    const url = typeof options.coordinator === 'string' ? options.coordinator : undefined;
    let coordinator: SimulationOptions['coordinator'];
    if (url) {
      const operator = typeof options.operator === 'string' ? options.operator : undefined;
      const password = process.env.BREADCAST_OPERATOR_PASSWORD;
      if (!operator || !password)
        throw new UsageError(
          '--coordinator needs --operator NAME and the password in BREADCAST_OPERATOR_PASSWORD',
        );
      coordinator = { url, operator, password };
    }
    const localEpochs = optionalNumber(options, 'local-epochs', {
      integer: true,
      min: 1,
      max: 100,
    });
    const clipNorm = optionalNumber(options, 'clip-norm', { min: 1e-6, max: 1e6 });
    const maxSampleWeight = optionalNumber(options, 'max-sample-weight', {
      integer: true,
      min: 1,
      max: 1e9,
    });
    const weighting = options.weighting;
    if (weighting !== undefined && weighting !== 'samples' && weighting !== 'equal')
      throw new UsageError(`--weighting: 'samples' or 'equal', not "${String(weighting)}"`);
    const simulation: SimulationOptions = {
      files,
      holdoutDays:
        optionalNumber(options, 'holdout-days', { integer: true, min: 7, max: 365 }) ?? 28,
      rounds: optionalNumber(options, 'rounds', { integer: true, min: 1, max: 1000 }) ?? 5,
      secureAggregation: secure,
      noiseMultiplier: noise ?? 0,
      dropout: optionalNumber(options, 'dropout', { min: 0, max: 0.95 }) ?? 0,
      criticalRatio: optionalNumber(options, 'critical-ratio', { min: 0.01, max: 0.99 }) ?? 0.7,
      seed: optionalNumber(options, 'seed', { integer: true, min: 0 }) ?? 1,
      round: {
        ...(localEpochs !== undefined ? { localEpochs } : {}),
        ...(clipNorm !== undefined ? { clipNorm } : {}),
        ...(weighting !== undefined ? { weighting } : {}),
        ...(maxSampleWeight !== undefined ? { maxSampleWeight } : {}),
      },
      ...(coordinator ? { coordinator } : {}),
    };
    const trainDays = optionalNumber(options, 'train-days', { integer: true, min: 14, max: 5000 });
    if (trainDays !== undefined) simulation.trainDays = trainDays;
    const threads = optionalNumber(options, 'threads', { integer: true, min: 1, max: 256 });
    if (threads !== undefined) simulation.threads = threads;
    const forecastsFile = typeof options.forecasts === 'string' ? options.forecasts : undefined;
    if (forecastsFile) simulation.onForecasts = (f) => writeForecasts(forecastsFile, f);

    const bars = progressBars(io.interactive);
    let result;
    try {
      result = await simulate({ ...simulation, onProgress: (p) => bars.update(p) });
    } catch (error) {
      bars.stop();
      io.err(`breadcast simulate: ${(error as Error).message}`);
      return 1;
    }
    bars.stop();
    if (options.json) {
      io.out(
        JSON.stringify({
          shops: result.shops,
          overall: result.overall,
          excluded: result.excluded,
          rounds: result.rounds,
          backend: result.backend,
          threads: result.threads,
          globalOnly: result.globalOnly,
          roundLog: result.roundLog,
          settings: result.settings,
          seconds: Math.round(result.seconds * 10) / 10,
        }),
      );
      return 0;
    }
    for (const line of formatTable(result)) io.out(line);
    return 0;
  },
};
