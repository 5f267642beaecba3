import { truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import type { ImportProblem } from '../../../electron/api/contract/imports.ts';
import { commitImport, ImportRefused, planImport } from '../../../electron/logs/import/importer.ts';
import { fileSource, stringSource } from '../../../electron/logs/import/source.ts';
import { listProducts } from '../../../electron/logs/products.ts';
import { setSettings } from '../../../electron/logs/settings.ts';
import type { Db } from '../../../electron/store/database.ts';
import { contentHash, tempDb, writeCsv } from './helpers.ts';

const good = `date,product,sold,baked,wasted,category,shelf_life_days,unit_price
2024-03-01,Roll,90,100,10,rolls,1,0.4
2024-03-01,Rye bread,12,15,0,bread,3,3.5
2024-03-02,Roll,95,100,5,rolls,1,0.45
2024-03-02,Rye bread,3,0,0,bread,3,3.5
`;

let db: Db;
let dir: string;
let before: string;

beforeEach(async () => {
  ({ db, dir } = tempDb());
  await commitImport(db, stringSource(good), {});
  before = contentHash(db);
});

/** Imports a file expected to be refused; returns its problems after checking nothing changed. */
async function refused(
  text: string | Buffer,
  options: { store?: string } = {},
): Promise<ImportProblem[]> {
  const path = writeCsv(dir, 'bad.csv', text);
  const error = await commitImport(db, fileSource(path), options).catch((e: unknown) => e);
  expect(error).toBeInstanceOf(ImportRefused);
  expect(contentHash(db)).toBe(before);
  return (error as ImportRefused).preview.problems;
}

const lines = (problems: ImportProblem[]) => problems.map((p) => [p.line, p.column]);

describe('CSV import: a good file', () => {
  it('creates products with their facts, logs and days, and carries multi-day stock', () => {
    const products = listProducts(db);
    expect(products.map((p) => [p.name, p.category, p.shelfLifeDays, p.unitPrice])).toEqual([
      ['Roll', 'rolls', 1, 0.45],
      ['Rye bread', 'bread', 3, 3.5],
    ]);
    const rye = db
      .prepare("SELECT carried_over FROM daily_logs WHERE date = '2024-03-02' AND sold = 3")
      .get();
    expect(rye).toEqual({ carried_over: 3 });
  });

  it('maps differing headers, ignores unknown columns and defaults the category to other', async () => {
    const text = 'Tag;Sorte;Menge;Wetterlage\n2024-03-03;Brezel;40;x\n'.replace(/;/g, ',');
    const mapping = { date: 'Tag', product: 'Sorte', sold: 'Menge' };
    const preview = (await planImport(db, stringSource(text), { mapping })).preview;
    expect(preview).toMatchObject({
      missingColumns: [],
      ignoredHeaders: ['Wetterlage'],
      canImport: true,
    });
    expect(preview.counts).toMatchObject({ valid: 1, newProducts: 1 });
    expect(await commitImport(db, stringSource(text), { mapping })).toMatchObject({
      imported: 1,
      products: 1,
      days: 1,
      skipped: 0,
    });
    expect(listProducts(db).find((p) => p.name === 'Brezel')?.category).toBe('other');
  });

  it('records closed days, weather and holidays in the day context', async () => {
    setSettings(db, { holidayRegion: { country: 'DE', state: 'NW' } });
    await commitImport(
      db,
      stringSource(
        'date,product,sold,closed,temperature,rain,holiday\n2024-04-01,Roll,0,1,8.5,0.2,1\n',
      ),
      {},
    );
    expect(db.prepare("SELECT * FROM day_context WHERE date = '2024-04-01'").get()).toEqual({
      date: '2024-04-01',
      closed: 1,
      holiday: 1,
      holiday_name: 'Ostermontag',
      temperature: 8.5,
      rain: 0.2,
    });
  });
});

describe('CSV import: every malformed case is refused with its line and changes nothing', () => {
  it('missing required columns', async () => {
    const problems = await refused('date,product,amount\n2024-03-03,Roll,5\n');
    expect(lines(problems)).toEqual([[1, 'sold']]);
    expect(problems[0]?.reason).toEqual({
      code: 'import.requiredMissing',
      params: { column: 'sold' },
    });
  });

  it('bad dates: wrong format and days that do not exist', async () => {
    const problems = await refused(
      'date,product,sold\n2024-03-03,Roll,5\n03/04/2024,Roll,5\n2023-02-29,Roll,5\n2024-13-01,Roll,4\n',
    );
    expect(lines(problems)).toEqual([
      [3, 'date'],
      [4, 'date'],
      [5, 'date'],
    ]);
    expect(problems.map((p) => p.reason)).toEqual([
      { code: 'import.dateFormat', params: { raw: '03/04/2024', format: 'yyyy-mm-dd' } },
      { code: 'import.dateNotInCalendar', params: { date: '2023-02-29' } },
      { code: 'import.dateNotInCalendar', params: { date: '2024-13-01' } },
    ]);
  });

  it('negative, fractional and text counts', async () => {
    const problems = await refused(
      'date,product,sold,baked,wasted\n2024-03-03,Roll,-3,,\n2024-03-04,Roll,2.5,,\n2024-03-05,Roll,12,ten,\n2024-03-06,Roll,1,5,1e99\n',
    );
    expect(lines(problems)).toEqual([
      [2, 'sold'],
      [3, 'sold'],
      [4, 'baked'],
      [5, 'wasted'],
    ]);
    expect(problems.map((p) => p.reason)).toEqual([
      { code: 'import.negative', params: { column: 'sold', raw: '-3' } },
      { code: 'import.notWhole', params: { column: 'sold', raw: '2.5' } },
      { code: 'import.notANumber', params: { column: 'baked', raw: 'ten', commaDecimal: false } },
      { code: 'import.tooLarge', params: { column: 'wasted', raw: '1e99', max: 100_000 } },
    ]);
  });

  it('sold + wasted above baked (+ carried over)', async () => {
    const problems = await refused('date,product,sold,baked,wasted\n2024-03-03,Roll,95,100,10\n');
    expect(lines(problems)).toEqual([[2, 'sold']]);
  });

  it('duplicate (date, product) rows, whatever the letter case', async () => {
    const problems = await refused(
      'date,product,sold\n2024-03-03,Roll,5\n2024-03-04,Roll,5\n2024-03-03,ROLL,6\n',
    );
    expect(lines(problems)).toEqual([[4, 'product']]);
    expect(problems[0]?.reason).toEqual({
      code: 'import.duplicate',
      params: { product: 'ROLL', date: '2024-03-03', firstLine: 2 },
    });
  });

  it('an empty file and a header without rows', async () => {
    expect(await refused('')).toMatchObject([
      { line: 1, reason: { code: 'import.emptyFile', params: {} } },
    ]);
    expect(await refused('date,product,sold\n')).toMatchObject([{ line: 2 }]);
  });

  it('wrong encodings: UTF-16 with and without BOM (Windows-1252 is read, see the dialect tests)', async () => {
    const utf16 = Buffer.concat([
      Buffer.from([0xff, 0xfe]),
      Buffer.from('date,product,sold\n2024-03-03,Roll,5\n', 'utf16le'),
    ]);
    expect(await refused(utf16)).toMatchObject([{ line: 1, reason: { code: 'import.utf16' } }]);
    expect(await refused(Buffer.from('date,product,sold\n', 'utf16le'))).toMatchObject([
      { line: 1, reason: { code: 'import.nulCharacters' } },
    ]);
  });

  it('a file over the size limit, before reading it', async () => {
    const path = join(dir, 'huge.csv');
    writeFileSync(path, 'date,product,sold\n');
    truncateSync(path, 65 * 1024 * 1024);
    const error = (await commitImport(db, fileSource(path), {}).catch(
      (e: unknown) => e,
    )) as ImportRefused;
    expect(error.preview.problems[0]?.reason).toEqual({
      code: 'import.fileTooLarge',
      params: { bytes: 65 * 1024 * 1024, maxBytes: 64 * 1024 * 1024 },
    });
    expect(contentHash(db)).toBe(before);
  });

  it('broken CSV: an unclosed quote and a line with the wrong number of fields', async () => {
    expect(
      await refused('date,product,sold\n2024-03-03,"Roll,5\n2024-03-04,Roll,5\n'),
    ).toMatchObject([{ reason: { code: 'import.quoteNotClosed' } }]);
    expect(lines(await refused('date,product,sold\n2024-03-03,Roll,5,7\n'))).toEqual([[2, null]]);
  });

  it('bad optional values: category, shelf life, flags, prices with a decimal comma', async () => {
    const problems = await refused(
      'date,product,sold,category,shelf_life_days,closed,unit_price\n2024-03-03,Pie,5,pies,,,\n2024-03-03,Tart,5,cake,0,,\n2024-03-03,Flan,5,,,maybe,\n2024-03-03,Eclair,5,,,,"1,20"\n',
    );
    expect(lines(problems)).toEqual([
      [2, 'category'],
      [3, 'shelf_life_days'],
      [4, 'closed'],
      [5, 'unit_price'],
    ]);
    expect(problems[3]?.reason).toEqual({
      code: 'import.notANumber',
      params: { column: 'unit_price', raw: '1,20', commaDecimal: true },
    });
  });

  it('several stores unless one is chosen; an unknown store', async () => {
    const text = 'date,store,product,sold\n2024-03-03,1,Roll,5\n2024-03-03,2,Roll,6\n';
    expect(await refused(text)).toMatchObject([
      {
        line: 1,
        column: 'store',
        reason: { code: 'import.manyStores', params: { count: 2, stores: ['1', '2'] } },
      },
    ]);
    expect(await refused(text, { store: '3' })).toMatchObject([
      { reason: { code: 'import.storeNotInFile', params: { store: '3', stores: ['1', '2'] } } },
    ]);
    expect(await commitImport(db, stringSource(text), { store: '2' })).toMatchObject({
      imported: 1,
      products: 1,
      days: 1,
      skipped: 0,
    });
  });

  it('lists every problem of a long file, and skipInvalid imports the good rows only', async () => {
    const rows = Array.from(
      { length: 300 },
      (_, i) =>
        `2024-04-${String((i % 28) + 1).padStart(2, '0')},P${Math.floor(i / 28)},${i % 3 === 0 ? 'x' : i}`,
    );
    const text = `date,product,sold\n${rows.join('\n')}\n`;
    const problems = await refused(text);
    expect(problems).toHaveLength(100);
    expect(problems[0]).toMatchObject({ line: 2, column: 'sold' });
    expect(await commitImport(db, stringSource(text), { skipInvalid: true })).toMatchObject({
      imported: 200,
      products: 11,
      days: 28,
      skipped: 100,
    });
  });
});
