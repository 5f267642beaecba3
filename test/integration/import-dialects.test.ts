import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parse } from 'csv-parse/sync';
import { addDays, dateAt, datesBetween, systemTimeZone } from '../../federated/calendar/dates.ts';
import { openDatabase } from '../../electron/store/database.ts';
import { getSettings } from '../../electron/logs/settings.ts';
import { commitImport } from '../../electron/logs/import/importer.ts';
import { fileSource } from '../../electron/logs/import/source.ts';
import { listProducts } from '../../electron/logs/products.ts';
import { testBackend } from '../unit/logs/api.ts';
import { tempDb, tempDir, writeCsv } from '../unit/logs/helpers.ts';

const bin = fileURLToPath(new URL('../../bin/breadcast.mjs', import.meta.url));

/** Runs the real CLI in a child process, as a baker's script would. */
function breadcast(...args: string[]) {
  const run = spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8' });
  return { code: run.status, stdout: run.stdout, stderr: run.stderr };
}

/** Text as Windows-1252 bytes, the code page Excel on a German or French PC saves CSV in. */
function cp1252(text: string): Buffer {
  return Buffer.from(
    [...text].map((c) => {
      if (c === '€') return 0x80;
      const code = c.charCodeAt(0);
      if (code > 0xff || (code >= 0x80 && code < 0xa0)) throw new Error(`not in cp1252: ${c}`);
      return code;
    }),
  );
}

type Day = { date: string; product: string; baked: number; sold: number; wasted: number };

/** A month of three products with counts that differ by day and product. */
function month(from: string, to: string, products: string[]): Day[] {
  return datesBetween(from, to).flatMap((date, d) =>
    products.map((product, p) => {
      const baked = 40 + 10 * p + (d % 7);
      const sold = baked - ((d + p) % 5);
      return { date, product, baked, sold, wasted: baked - sold };
    }),
  );
}

/** What the CLI export says was stored, row by row. */
function exported(db: string): Record<string, string>[] {
  const out = breadcast('export', '--db', db, '--out', '-');
  expect(out.code).toBe(0);
  return parse(out.stdout, { columns: true }) as Record<string, string>[];
}

const german = ['Brötchen', 'Laugenbrezel', 'Körnerbrot'];
const french = ['Pain au chocolat', 'Baguette tradition', 'Éclair café'];

describe('CSV as bakeries have it, through the CLI', () => {
  it('a German Excel file: Windows-1252, semicolons, decimal commas, dd.mm.yyyy, German headers', () => {
    const dir = tempDir();
    const days = month('2024-03-01', '2024-03-31', german);
    const dmy = (iso: string) => `${iso.slice(8)}.${iso.slice(5, 7)}.${iso.slice(0, 4)}`;
    const text =
      'Datum;Artikel;Gebacken;Verkauft;Retoure;Preis;Bemerkung\r\n' +
      days
        .map(
          (r) =>
            `${dmy(r.date)};${r.product};${r.baked};${r.sold};${r.wasted};${r.product === 'Körnerbrot' ? '3,80' : '0,45'};${r.wasted > 3 ? 'Rest 50 % für 1 €' : ''}`,
        )
        .join('\r\n') +
      '\r\n';
    const db = join(dir, 'de.sqlite');
    const run = breadcast(
      'import',
      '--db',
      db,
      '--csv',
      writeCsv(dir, 'Verkauf März.csv', cp1252(text)),
      '--country',
      'DE',
      '--region',
      'BY',
      '--json',
    );
    expect(run.code, run.stderr).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({
      imported: 93,
      products: 3,
      days: 31,
      skipped: 0,
      dialect: {
        encoding: 'windows-1252',
        separator: ';',
        decimalComma: true,
        dateFormat: 'dd.mm.yyyy',
      },
      newestDate: '2024-03-31',
    });
    const rows = exported(db);
    expect(rows).toHaveLength(93);
    for (const product of german) {
      const mine = rows.filter((r) => r.product === product);
      const expected = days.filter((d) => d.product === product);
      expect(mine.map((r) => Number(r.sold))).toEqual(expected.map((d) => d.sold));
      expect(mine.map((r) => Number(r.wasted))).toEqual(expected.map((d) => d.wasted));
      expect(mine.map((r) => Number(r.baked))).toEqual(expected.map((d) => d.baked));
    }
    expect(rows.find((r) => r.product === 'Körnerbrot')?.unit_price).toBe('3.8');
    expect(rows.find((r) => r.note)?.note).toBe('Rest 50 % für 1 €');
    // Bavaria's calendar now decides the holidays: Good Friday 2024 was 29 March.
    expect(rows.filter((r) => r.holiday === '1').map((r) => r.date)).toEqual([
      '2024-03-29',
      '2024-03-29',
      '2024-03-29',
    ]);
    const stored = openDatabase(db);
    expect(getSettings(stored)).toMatchObject({
      holidayRegion: { country: 'DE', state: 'BY' },
      currency: 'EUR',
      timeZone: 'Europe/Berlin',
      askLocation: false,
    });
    stored.close();
    // The history ended long ago: the import says what the forecast can and cannot do.
    expect(run.stderr).toMatch(/Warning: The newest day in this file is 31 Mar 2024/);
    expect(run.stderr).toMatch(
      /no product can be forecast for tomorrow until sales from the last 91 days/,
    );
  });

  it('a French file: UTF-8 with BOM, semicolons, decimal commas, dd/mm/yyyy, French headers', () => {
    const dir = tempDir();
    const days = month('2024-03-15', '2024-04-14', french);
    const dmy = (iso: string) => `${iso.slice(8)}/${iso.slice(5, 7)}/${iso.slice(0, 4)}`;
    const text =
      '\uFEFFDate;Produit;Cuits;Vendus;Invendus;Prix unitaire\n' +
      days
        .map((r) => `${dmy(r.date)};${r.product};${r.baked};${r.sold};${r.wasted};1,10`)
        .join('\n') +
      '\n';
    const db = join(dir, 'fr.sqlite');
    const run = breadcast(
      'import',
      '--db',
      db,
      '--csv',
      writeCsv(dir, 'ventes.csv', text),
      '--country',
      'FR',
      '--json',
    );
    expect(run.code, run.stderr).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({
      imported: 93,
      products: 3,
      days: 31,
      dialect: { encoding: 'utf-8', separator: ';', decimalComma: true, dateFormat: 'dd/mm/yyyy' },
    });
    const rows = exported(db);
    expect(new Set(rows.map((r) => r.product))).toEqual(new Set(french));
    expect(rows.reduce((sum, r) => sum + Number(r.sold), 0)).toBe(
      days.reduce((sum, d) => sum + d.sold, 0),
    );
    expect(rows.every((r) => r.unit_price === '1.1')).toBe(true);
    // Easter Monday (1 April 2024) is a public holiday in France.
    expect(new Set(rows.filter((r) => r.holiday === '1').map((r) => r.date))).toEqual(
      new Set(['2024-04-01']),
    );
  });

  it('asks when dates could be dd/mm or mm/dd, and reads them as told', () => {
    const dir = tempDir();
    const csv = writeCsv(
      dir,
      'us.csv',
      'date,product,sold\n03/04/2024,Roll,5\n04/04/2024,Roll,6\n',
    );
    const db = join(dir, 'b.sqlite');
    const asked = breadcast('import', '--db', db, '--csv', csv);
    expect(asked.code).toBe(1);
    expect(asked.stderr).toMatch(/03\/04\/2024 can be read as DD\/MM\/YYYY or MM\/DD\/YYYY/);
    expect(asked.stderr).toMatch(/--date-format dd\/mm\/yyyy or --date-format mm\/dd\/yyyy/);
    const dates = (path: string) => {
      const stored = openDatabase(path);
      const found = stored.prepare('SELECT date FROM daily_logs ORDER BY date').pluck().all();
      stored.close();
      return found;
    };
    expect(dates(db)).toEqual([]);
    expect(breadcast('import', '--db', db, '--csv', csv, '--date-format', 'mm/dd/yyyy').code).toBe(
      0,
    );
    expect(dates(db)).toEqual(['2024-03-04', '2024-04-04']);
    const other = join(dir, 'c.sqlite');
    expect(
      breadcast('import', '--db', other, '--csv', csv, '--date-format', 'dd/mm/yyyy').code,
    ).toBe(0);
    expect(dates(other)).toEqual(['2024-04-03', '2024-04-04']);
    expect(breadcast('import', '--db', db, '--csv', csv, '--date-format', 'd/m/y').code).toBe(2);
  });

  it('does not warn about a history that reaches yesterday, and says where the bakery is missing', () => {
    const dir = tempDir();
    const today = dateAt(new Date(), systemTimeZone());
    const text = `date,product,sold\n${addDays(today, -2)},Roll,5\n${addDays(today, -1)},Roll,6\n`;
    const run = breadcast(
      'import',
      '--db',
      join(dir, 'b.sqlite'),
      '--csv',
      writeCsv(dir, 'r.csv', text),
    );
    expect(run.code).toBe(0);
    expect(run.stderr).not.toMatch(/Warning/);
    expect(run.stderr).toMatch(/--country CC \[--region RR\]/);
  });

  it('export piped into head ends quietly', () => {
    const dir = tempDir();
    const lines = month('2023-01-01', '2023-12-31', ['A', 'B', 'C', 'D', 'E', 'F', 'G', 'H']).map(
      (r) => `${r.date},${r.product},${r.sold}`,
    );
    const db = join(dir, 'big.sqlite');
    const csv = writeCsv(dir, 'big.csv', `date,product,sold\n${lines.join('\n')}\n`);
    expect(breadcast('import', '--db', db, '--csv', csv).code).toBe(0);
    const piped = spawnSync(
      'bash',
      [
        '-c',
        `set -o pipefail; "${process.execPath}" "${bin}" export --db "${db}" --out - | head -1`,
      ],
      { encoding: 'utf8' },
    );
    expect(piped.stdout).toBe(
      'date,product,sold,baked,wasted,category,shelf_life_days,unit_price,unit_cost,closed,holiday,temperature,rain,sold_out,sold_out_time,waste_reason,waste_outcome,note\n',
    );
    expect(piped.stderr).toBe('');
    expect(piped.status).toBe(0);
  });
});

describe('CSV as bakeries have it, through the app API', () => {
  it('reads UTF-8 with and without BOM, Windows-1252 and tab-separated files alike', async () => {
    const dir = tempDir();
    const body = (sep: string) =>
      ['date', 'product', 'sold'].join(sep) +
      '\n' +
      ['2024-05-02', 'Früchtebrot', '7'].join(sep) +
      '\n' +
      ['2024-05-02', 'Crème brûlée', '3'].join(sep) +
      '\n';
    const files: [string, string | Buffer, string][] = [
      ['utf8.csv', body(','), 'utf-8'],
      ['bom.csv', `\uFEFF${body(',')}`, 'utf-8'],
      ['cp1252.csv', cp1252(body(';')), 'windows-1252'],
      ['tabs.tsv', body('\t'), 'utf-8'],
    ];
    for (const [name, content, encoding] of files) {
      const { db } = tempDb();
      const summary = await commitImport(db, fileSource(writeCsv(dir, name, content)), {});
      expect(summary.dialect.encoding, name).toBe(encoding);
      expect(listProducts(db).map((p) => p.name)).toEqual(['Crème brûlée', 'Früchtebrot']);
      db.close();
    }
  });

  it('the app sends the bytes and the preview reports the dialect it found', async () => {
    const backend = testBackend();
    try {
      const bytes = cp1252(
        'Datum;Artikel;Verkauft\n01.03.2024;Brötchen;12\n02.03.2024;Brötchen;1.234\n',
      );
      const preview = await backend.ok('import.preview', { csvBase64: bytes.toString('base64') });
      expect(preview).toMatchObject({
        dialect: { encoding: 'windows-1252', separator: ';', dateFormat: 'dd.mm.yyyy' },
        mapping: { date: 'Datum', product: 'Artikel', sold: 'Verkauft' },
        counts: { valid: 2, products: 1 },
        canImport: true,
      });
      const ambiguous = await backend.ok('import.preview', {
        csv: 'date,product,sold\n03/04/2024,Roll,5\n',
      });
      expect(ambiguous).toMatchObject({
        canImport: false,
        dialect: { dateFormat: null, dateFormats: ['dd/mm/yyyy', 'mm/dd/yyyy'] },
        // The columns are found already, so the mapping step shows them while the baker chooses.
        headers: ['date', 'product', 'sold'],
        mapping: { date: 'date', product: 'product', sold: 'sold' },
        missingColumns: [],
      });
      expect(
        await backend.ok('import.commit', {
          csv: 'date,product,sold\n03/04/2024,Roll,5\n',
          dateFormat: 'dd/mm/yyyy',
        }),
      ).toMatchObject({ imported: 1, newestDate: '2024-04-03' });
      const both = await backend.call('import.preview', { csv: 'x', csvBase64: 'eA==' });
      expect(both.ok).toBe(false);
    } finally {
      backend.close();
    }
  });
});
