import { existsSync } from 'node:fs';
import { openDatabase } from '../../electron/store/database.ts';
import { forecastDay, NoModelError } from '../../electron/forecast/forecast-service.ts';
import { lastLoggedDate } from '../../electron/forecast/histories.ts';
import { addDays } from '../../federated/calendar/dates.ts';
import { requireString, UsageError, type Command } from '../command.ts';

export const forecastCommand: Command = {
  name: 'forecast',
  summary: 'Forecast one day per product: quantiles, recommended bake, expected leftovers.',
  options: {
    db: { type: 'string', value: 'FILE', description: 'The bakery database.', required: true },
    date: {
      type: 'string',
      value: 'YYYY-MM-DD',
      description: 'Day to forecast. Default: the day after the most recent logged day.',
    },
    json: {
      type: 'boolean',
      description:
        'Print a JSON array of {"product","date","quantiles":{"p10","p25","p50","p75","p90"},"recommendedBake","expectedWasteAtRecommended","modelVersion","backend"}.',
    },
  },
  async run(options, io) {
    const dbPath = requireString(options, 'db');
    if (!existsSync(dbPath)) throw new UsageError(`--db: no such file "${dbPath}"`);
    const date = options.date;
    if (date !== undefined && (typeof date !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(date)))
      throw new UsageError('--date takes YYYY-MM-DD');
    const db = openDatabase(dbPath);
    try {
      const last = lastLoggedDate(db);
      const target = (date as string | undefined) ?? (last ? addDays(last, 1) : undefined);
      if (!target) {
        io.err('No sales logged yet: nothing to forecast from.');
        return 1;
      }
      const day = await forecastDay(db, { date: target });
      const model = day.model!;
      if (options.json) {
        io.out(
          JSON.stringify(
            day.products.map((p) => ({
              product: p.product,
              date: p.date,
              quantiles: p.quantiles,
              recommendedBake: p.recommendedBake,
              expectedWasteAtRecommended: p.expectedWasteAtRecommended,
              modelVersion: model.modelVersion,
              backend: model.backend,
            })),
          ),
        );
        return 0;
      }
      io.out(
        `Forecast for ${day.date} — model version ${model.modelVersion} (${model.source}, trained ${model.trainedAt}, backend ${model.backend})`,
      );
      io.out(
        `${'product'.padEnd(28)} ${'p10'.padStart(7)} ${'median'.padStart(7)} ${'p90'.padStart(7)} ${'bake'.padStart(6)} ${'leftover'.padStart(9)}`,
      );
      for (const p of day.products) {
        const q = p.quantiles;
        io.out(
          `${p.product.slice(0, 28).padEnd(28)} ${q.p10.toFixed(1).padStart(7)} ${q.p50.toFixed(1).padStart(7)} ${q.p90.toFixed(1).padStart(7)} ${String(p.recommendedBake).padStart(6)} ${p.expectedWasteAtRecommended.toFixed(1).padStart(9)}` +
            (p.warning ? '  (short history)' : ''),
        );
      }
      return 0;
    } catch (error) {
      if (error instanceof NoModelError) {
        io.err(error.message);
        return 1;
      }
      throw error;
    } finally {
      db.close();
    }
  },
};
