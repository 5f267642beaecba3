import { existsSync } from 'node:fs';
import {
  generateBakery,
  readLogRows,
  writeLogRows,
} from '../../simulation/generate/large-bakery.ts';
import { optionalNumber, requireString, UsageError, type Command } from '../command.ts';

export const generateBakeryCommand: Command = {
  name: 'generate-bakery',
  summary:
    'Grow a large bakery (many products, years of history) from a real daily-logs CSV for simulate: seasonal block bootstrap, deterministic under --seed.',
  options: {
    from: {
      type: 'string',
      value: 'FILE',
      required: true,
      description: 'Source daily-logs CSV of one bakery (date, product, sold, closed…).',
    },
    out: { type: 'string', value: 'FILE', required: true, description: 'CSV to write.' },
    products: { type: 'string', value: 'N', description: 'Products to generate (default 64).' },
    years: { type: 'string', value: 'Y', description: 'Years of history (default 5).' },
    seed: { type: 'string', value: 'S', description: 'Seed (default 1).' },
  },
  async run(options, io) {
    const from = requireString(options, 'from');
    const out = requireString(options, 'out');
    if (!existsSync(from)) throw new UsageError(`--from: no such file "${from}"`);
    const rows = generateBakery(readLogRows(from), {
      products: optionalNumber(options, 'products', { integer: true, min: 1, max: 1000 }) ?? 64,
      years: optionalNumber(options, 'years', { min: 0.1, max: 30 }) ?? 5,
      seed: optionalNumber(options, 'seed', { integer: true, min: 0 }) ?? 1,
    });
    writeLogRows(out, rows);
    const products = new Set(rows.map((r) => r.product)).size;
    const days = new Set(rows.map((r) => r.date)).size;
    io.out(`Wrote ${out}: ${products} products × ${days} days (${rows.length} rows).`);
    return 0;
  },
};
