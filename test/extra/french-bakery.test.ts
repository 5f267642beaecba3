import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { commitImport } from '../../electron/logs/import/importer.ts';
import { fileSource } from '../../electron/logs/import/source.ts';
import { openDatabase } from '../../electron/store/database.ts';
import { extraData } from './data.ts';

const dir = mkdtempSync(join(tmpdir(), 'breadcast-french-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('importing the French bakery (not shipped)', () => {
  it('imports the whole file (33,124 rows) with its French public holidays', async () => {
    const db = openDatabase(join(dir, 'french.sqlite'));
    try {
      const summary = await commitImport(db, fileSource(extraData('french-bakery.csv')), {});
      expect(summary).toMatchObject({ imported: 33124, products: 52, days: 637, skipped: 0 });
      expect(db.prepare('SELECT count(*) AS n FROM day_context WHERE holiday = 1').get()).toEqual({
        n: 18,
      });
    } finally {
      db.close();
    }
  });
});
