import { createWriteStream, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { addDays } from '../../federated/calendar/dates.ts';
import { commitImport, ImportRefused } from '../../electron/logs/import/importer.ts';
import { fileSource } from '../../electron/logs/import/source.ts';
import { openDatabase } from '../../electron/store/database.ts';

const dir = mkdtempSync(join(tmpdir(), 'breadcast-large-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/**
 * A 50 MB POS export: long free-text columns the importer ignores make it big without making
 * the test slow; `broken` puts one bad count on the very last line.
 */
async function writeLargeCsv(path: string, broken: boolean): Promise<number> {
  const out = createWriteStream(path);
  const filler = 'x'.repeat(380);
  out.write('date,product,sold,baked,wasted,description\n');
  let bytes = 0;
  let rows = 0;
  while (bytes < 50 * 1024 * 1024) {
    const date = addDays('2000-01-01', Math.floor(rows / 25));
    const line = `${date},Product ${rows % 25},${rows % 90},${(rows % 90) + 10},${rows % 7},"${filler}"\n`;
    if (!out.write(line)) await new Promise<void>((resolve) => out.once('drain', () => resolve()));
    bytes += line.length;
    rows++;
  }
  if (broken) out.write(`2099-01-01,Product 0,-5,,,""\n`);
  await new Promise((resolve) => out.end(resolve));
  return rows + (broken ? 1 : 0);
}

describe('a 50 MB file', () => {
  it('streams through the importer: imported in one transaction with bounded memory', async () => {
    const csv = join(dir, 'large.csv');
    const rows = await writeLargeCsv(csv, false);
    expect(statSync(csv).size).toBeGreaterThan(50 * 1024 * 1024);
    const db = openDatabase(join(dir, 'large.sqlite'));
    const rssBefore = process.memoryUsage().rss;
    const started = performance.now();
    const summary = await commitImport(db, fileSource(csv), {});
    const seconds = (performance.now() - started) / 1000;
    const grewMb = (process.memoryUsage().rss - rssBefore) / 1024 / 1024;
    console.log(`50 MB (${rows} rows): ${seconds.toFixed(1)} s, RSS +${grewMb.toFixed(0)} MB`);
    expect(summary).toMatchObject({
      imported: rows,
      products: 25,
      days: Math.ceil(rows / 25),
      skipped: 0,
    });
    expect(grewMb).toBeLessThan(1024);
    db.close();
  }, 240_000);

  it('refuses it as a whole for one bad count on its last line, naming that line', async () => {
    const csv = join(dir, 'broken.csv');
    const rows = await writeLargeCsv(csv, true);
    const db = openDatabase(join(dir, 'broken.sqlite'));
    const error = (await commitImport(db, fileSource(csv), {}).catch(
      (e: unknown) => e,
    )) as ImportRefused;
    expect(error).toBeInstanceOf(ImportRefused);
    expect(error.preview.problems).toEqual([
      {
        line: rows + 1,
        column: 'sold',
        reason: { code: 'import.negative', params: { column: 'sold', raw: '-5' } },
      },
    ]);
    expect(db.prepare('SELECT count(*) AS n FROM daily_logs').get()).toEqual({ n: 0 });
    db.close();
  }, 240_000);
});
