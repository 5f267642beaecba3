import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { generateBakery, readLogRows, writeLogRows } from '../generate/large-bakery.ts';
import type { NightFigures } from './nightly-night.ts';

const night = fileURLToPath(new URL('./nightly-night.ts', import.meta.url));
const run = promisify(execFile);

/** The bakeries measured: grown from one real bakery's products (`generate-bakery`). */
export const nightlyBakeries = [
  { name: 'small', products: 10, years: 1 },
  { name: 'large', products: 64, years: 5 },
] as const;

export type NightlyBakery = {
  name: string;
  products: number;
  years: number;
  one: NightFigures;
  six: NightFigures;
  /** Six networks against one, in the same run: CPU seconds, wall, peak memory. */
  ratio: { cpu: number; wall: number; rss: number };
};

/** One night in a fresh process: `tsx` loads the TypeScript as `npm run bench` does. */
async function measureNight(file: string, mode: 'one' | 'six'): Promise<NightFigures> {
  const { stdout } = await run(process.execPath, ['--import', 'tsx', night, file, mode], {
    maxBuffer: 1 << 20,
  });
  const line = stdout.trim().split('\n').at(-1) ?? '';
  return JSON.parse(line) as NightFigures;
}

/**
 * The app's nightly job (train + tomorrow's forecast) for a small and a large bakery, as a
 * bakery alone (one network: the baseline) and as a consortium bakery (the six-network forecast
 * model), each night in a process of its own, one after the other.
 */
export async function benchNightly(
  source: string,
  onBakery: (b: NightlyBakery) => void = () => {},
): Promise<NightlyBakery[]> {
  const dir = mkdtempSync(join(tmpdir(), 'breadcast-nightly-bench-'));
  try {
    const rows = readLogRows(source);
    const out: NightlyBakery[] = [];
    for (const b of nightlyBakeries) {
      const file = join(dir, `${b.name}.csv`);
      writeLogRows(file, generateBakery(rows, { products: b.products, years: b.years, seed: 1 }));
      const one = await measureNight(file, 'one');
      const six = await measureNight(file, 'six');
      const result: NightlyBakery = {
        ...b,
        one,
        six,
        ratio: {
          cpu: six.cpuSeconds / one.cpuSeconds,
          wall: six.wallSeconds / one.wallSeconds,
          rss: six.peakRssMb / one.peakRssMb,
        },
      };
      onBakery(result);
      out.push(result);
    }
    return out;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
