import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { addDays } from '../../federated/calendar/dates.ts';
import { measureNight } from '../../simulation/bench/nightly-night.ts';

const dir = mkdtempSync(join(tmpdir(), 'breadcast-nightly-test-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Three products over eight weeks: enough history for a night's training and a forecast. */
function bakeryCsv(): string {
  const lines = ['date,product,sold'];
  for (let d = 0; d < 56; d++)
    for (const [product, base] of [
      ['rye', 30],
      ['spelt', 12],
      ['croissant', 50],
    ] as const)
      lines.push(`${addDays('2024-02-01', d)},${product},${base + ((d * 7 + base) % 9)}`);
  const path = join(dir, 'bakery.csv');
  writeFileSync(path, lines.join('\n'));
  return path;
}

describe('the nightly bench', () => {
  it('measures a night alone with one network and a consortium night with six', async () => {
    const file = bakeryCsv();
    const one = await measureNight(file, 'one');
    const six = await measureNight(file, 'six');
    expect(one.networks).toBe(1);
    expect(six.networks).toBe(6);
    for (const night of [one, six]) {
      // Tomorrow forecast for every product, from the night's model, all of it counted.
      expect(night.products).toBe(3);
      expect(night.samples).toBe(one.samples);
      expect(night.samples).toBeGreaterThan(0);
      expect(night.cpuSeconds).toBeGreaterThanOrEqual(night.trainCpuSeconds);
      expect(night.trainCpuSeconds).toBeGreaterThan(0);
      expect(night.peakRssMb).toBeGreaterThan(0);
    }
  });
});
