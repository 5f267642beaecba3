import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { captureIo } from '../../support/cli-io.ts';
import { main } from '../../../cli/main.ts';
import { openDatabase } from '../../../electron/store/database.ts';
import { contentHash, tempDir, writeCsv } from './helpers.ts';

const chainSample = `date,store,product,sold,closed,temperature,rain,holiday,school_holiday
2016-01-02,2,roll,254,0,2.1,11.9,0,1
2016-01-02,2,pretzel,28,0,2.1,11.9,0,1
2016-01-02,5,roll,54,0,1.0,3.0,0,1
2016-01-03,2,roll,0,1,2.6,4.1,0,1
2016-01-03,5,roll,61,0,1.1,0,0,1
`;

describe('breadcast import / export', () => {
  it('prints exactly one JSON line with --json', async () => {
    const dir = tempDir();
    const io = captureIo();
    const code = await main(
      [
        'import',
        '--db',
        join(dir, 'b.sqlite'),
        '--csv',
        writeCsv(dir, 'c.csv', chainSample),
        '--store',
        '2',
        '--json',
      ],
      io,
    );
    expect(code).toBe(0);
    expect(io.stdout).toHaveLength(1);
    expect(JSON.parse(io.stdout[0]!)).toMatchObject({
      imported: 3,
      products: 2,
      days: 2,
      skipped: 0,
      dialect: { encoding: 'utf-8', separator: ',', dateFormat: 'yyyy-mm-dd' },
      newestDate: '2016-01-03',
    });
  });

  it('refuses a multi-store file without --store: exit 1, the reason and the stores listed', async () => {
    const dir = tempDir();
    const io = captureIo();
    expect(
      await main(
        ['import', '--db', join(dir, 'b.sqlite'), '--csv', writeCsv(dir, 'c.csv', chainSample)],
        io,
      ),
    ).toBe(1);
    expect(io.stderr.join('\n')).toMatch(/2 stores \(2, 5\)[\s\S]*--store/);
  });

  it('lists at most 50 problems with line numbers, exits 1 and leaves the database exactly as it was', async () => {
    const dir = tempDir();
    const dbPath = join(dir, 'b.sqlite');
    expect(
      await main(
        ['import', '--db', dbPath, '--csv', writeCsv(dir, 'ok.csv', chainSample), '--store', '5'],
        captureIo(),
      ),
    ).toBe(0);
    const db = openDatabase(dbPath);
    const before = contentHash(db);
    db.close();
    const bad = [
      'date,product,sold',
      ...Array.from(
        { length: 80 },
        (_, i) => `2020-01-${String((i % 28) + 1).padStart(2, '0')},P${Math.floor(i / 28)},-1`,
      ),
    ];
    const io = captureIo();
    expect(
      await main(
        ['import', '--db', dbPath, '--csv', writeCsv(dir, 'bad.csv', bad.join('\n')), '--json'],
        io,
      ),
    ).toBe(1);
    expect(io.stdout).toEqual([]);
    expect(io.stderr[0]).toBe(`Nothing was imported: 80 problems in ${join(dir, 'bad.csv')}.`);
    expect(io.stderr[1]).toBe('  line 2 (sold): Sold cannot be negative (found -1).');
    expect(io.stderr).toContain('  … and 30 more.');
    expect(io.stderr.filter((l) => l.startsWith('  line '))).toHaveLength(50);
    const after = openDatabase(dbPath);
    expect(contentHash(after)).toBe(before);
    after.close();
    const skip = captureIo();
    expect(
      await main(
        ['import', '--db', dbPath, '--csv', join(dir, 'bad.csv'), '--skip-invalid', '--json'],
        skip,
      ),
    ).toBe(1);
  });

  it('argument errors exit 2 with one line', async () => {
    const dir = tempDir();
    for (const [args, message] of [
      [['import', '--csv', 'x.csv'], '--db is required'],
      [['import', '--db', join(dir, 'b.sqlite')], '--csv is required'],
      [
        ['import', '--db', join(dir, 'b.sqlite'), '--csv', join(dir, 'missing.csv')],
        'no such file',
      ],
      [['import', '--db', join(dir, 'b.sqlite'), '--csv', 'x', '--shop', '1'], 'shop'],
      [
        ['export', '--db', join(dir, 'none.sqlite'), '--out', join(dir, 'o.csv')],
        'no such database',
      ],
    ] as const) {
      const io = captureIo();
      expect(await main([...args], io)).toBe(2);
      expect(io.stderr).toHaveLength(1);
      expect(io.stderr[0]).toContain(message);
    }
    expect(existsSync(join(dir, 'b.sqlite'))).toBe(false);
  });

  it('export writes the import format, and it imports back into an empty database unchanged', async () => {
    const dir = tempDir();
    const first = join(dir, 'first.sqlite');
    const file = writeCsv(
      dir,
      'rich.csv',
      `date,product,sold,baked,wasted,category,shelf_life_days,unit_price,unit_cost,closed,holiday,temperature,rain,sold_out,sold_out_time,waste_reason,waste_outcome,note
2024-03-01,Rye bread,10,12,0,bread,3,3.5,1.2,0,0,7.5,0.5,0,,,,
2024-03-02,Rye bread,1,0,1,bread,3,3.5,1.2,0,0,,,1,11:30,expired,donated,"old loaf, given away"
2024-03-02,Roll,80,80,0,rolls,1,0.4,,0,0,,,1,12:05,,,
2024-04-01,Roll,0,0,0,rolls,1,0.4,,1,1,,,0,,,,=1+2 Easter Monday
`,
    );
    expect(await main(['import', '--db', first, '--csv', file], captureIo())).toBe(0);
    const out = join(dir, 'export.csv');
    expect(await main(['export', '--db', first, '--out', out], captureIo())).toBe(0);
    const exported = readFileSync(out, 'utf8');
    const second = join(dir, 'second.sqlite');
    const io = captureIo();
    expect(await main(['import', '--db', second, '--csv', out, '--json'], io)).toBe(0);
    expect(io.stdout).toHaveLength(1);
    expect(JSON.parse(io.stdout[0]!)).toMatchObject({
      imported: 4,
      products: 2,
      days: 3,
      skipped: 0,
    });
    const again = join(dir, 'export-2.csv');
    expect(await main(['export', '--db', second, '--out', again], captureIo())).toBe(0);
    expect(readFileSync(again, 'utf8')).toBe(exported);
    const a = openDatabase(first);
    const b = openDatabase(second);
    const facts = (db: typeof a) =>
      db
        .prepare(
          'SELECT date, product_id, baked, sold, wasted, carried_over, sold_out, sold_out_time, waste_reason, waste_outcome, note FROM daily_logs ORDER BY 1, 2',
        )
        .all();
    expect(facts(b)).toEqual(facts(a));
    expect(b.prepare('SELECT * FROM day_context ORDER BY date').all()).toEqual(
      a.prepare('SELECT * FROM day_context ORDER BY date').all(),
    );
    a.close();
    b.close();
  });
});
