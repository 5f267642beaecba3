import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import fc from 'fast-check';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApiResult } from '../../electron/api/contract/index.ts';
import type { MessageCode } from '../../electron/api/contract/messages/index.ts';
import { createBackend, type Backend } from '../../electron/backend/backend.ts';
import { tempDir } from './coordinator-harness.ts';
import { databaseFingerprint } from '../support/db-fingerprint.ts';

let backend: Backend;
const state = () => databaseFingerprint(backend.context.db);
const H = 'date,product,sold';
const importCsv = (csv: string) => backend.dispatch('import.commit', { csv });

/** Refused as a bad request, with the reason the UI words among the listed problems. */
function expectRefused(result: ApiResult, reason: MessageCode): void {
  expect(result.ok, JSON.stringify(result).slice(0, 300)).toBe(false);
  if (result.ok) return;
  expect(result.error.code).toBe('bad-request');
  expect(result.error.reason?.code).toBe('import.refused');
  expect(result.error.issues?.map((issue) => issue.reason?.code)).toContain(reason);
}

beforeAll(async () => {
  backend = createBackend({
    databasePath: join(tempDir('breadcast-bad-csv-'), 'bakery.db'),
    transport: 'http',
    log: pino({ level: 'silent' }),
  });
  // Something to protect: a product with a week of logs.
  const week = Array.from({ length: 7 }, (_, i) => `2024-02-0${i + 1},Rye loaf,${10 + i}`);
  expect((await importCsv([H, ...week].join('\n'))).ok).toBe(true);
});
afterAll(() => backend?.close());

describe('CSV import with hostile files', () => {
  it('NUL bytes: refused with a plain-words reason, nothing written', async () => {
    const before = state();
    expectRefused(await importCsv(`${H}\n2024-01-01,Ro\u0000ll,3\n`), 'import.nulCharacters');
    expectRefused(await importCsv(`${H}\u0000\n2024-01-01,Roll,3\n`), 'import.nulCharacters');
    expect(state()).toBe(before);
  });

  it('an enormous field (5 MB product name, 2 MB note): refused with the limit named, nothing written', async () => {
    const before = state();
    expectRefused(
      await importCsv(`${H}\n2024-01-01,"${'y'.repeat(5_000_000)}",3\n`),
      'import.productTooLong',
    );
    const note = await importCsv(`${H},note\n2024-01-01,Roll,3,"${'n'.repeat(2_000_000)}"\n`);
    expect(note.ok).toBe(false);
    expect(state()).toBe(before);
  });

  it('10 000 columns: unknown ones are ignored when the required ones are there; refused when they are not', async () => {
    const extra = Array.from({ length: 9_997 }, (_, i) => `c${i}`);
    const wide = `${[...H.split(','), ...extra].join(',')}\n${['2024-03-01', 'Wide roll', '3', ...extra.map(() => 'x')].join(',')}\n`;
    expect(await importCsv(wide)).toMatchObject({ ok: true, value: { imported: 1 } });
    const before = state();
    const noRequired = `${Array.from({ length: 10_000 }, (_, i) => `c${i}`).join(',')}\n${Array.from({ length: 10_000 }, () => '1').join(',')}\n`;
    expectRefused(await importCsv(noRequired), 'import.requiredMissing');
    expect(state()).toBe(before);
  });

  it('line endings: CRLF or LF throughout are read; a file mixing them, or a lone CR (old Mac), is refused with the line named', async () => {
    expect(
      await importCsv(`${H}\r\n2024-04-01,Crlf roll,3\r\n2024-04-02,Crlf roll,4\r\n`),
    ).toMatchObject({ ok: true, value: { imported: 2 } });
    expect(await importCsv(`${H}\n2024-04-03,Lf roll,3\n`)).toMatchObject({ ok: true });
    const before = state();
    // The first line's ending is taken as the file's: the rest then runs together.
    expectRefused(
      await importCsv(`${H}\r\n2024-04-05,Mixed roll,3\n2024-04-06,Mixed roll,4\r\n`),
      'import.fieldCount',
    );
    expectRefused(
      await importCsv(`${H}\n2024-04-07,Cr roll,3\r2024-04-08,Cr roll,5\n`),
      'import.fieldCount',
    );
    expect(state()).toBe(before);
  });

  it('byte-order marks: one or two UTF-8 BOMs before the header are read as the header', async () => {
    expect(await importCsv(`\uFEFF${H}\n2024-05-01,Bom roll,3\n`)).toMatchObject({ ok: true });
    expect(await importCsv(`\uFEFF\uFEFF${H}\n2024-05-02,Bom roll,4\n`)).toMatchObject({
      ok: true,
    });
    const products = (await backend.dispatch('products.list', {})) as {
      ok: true;
      value: { products: { name: string }[] };
    };
    expect(products.value.products.filter((p) => p.name.includes('Bom roll'))).toHaveLength(1);
  });

  it('formula injection (=cmd|…, +, -, @, tab): stored as text, and the CSV export never hands a spreadsheet a formula', async () => {
    const names = ["=cmd|' /C calc'!A0", '+SUM(A1:A9)', '-2+3', '@SUM(1)', '\t=1+1'];
    const csv = `${H},note\n${names
      .map((n, i) => `2024-06-0${i + 1},"${n}",${i + 1},"=HYPERLINK(""http://evil.example"")"`)
      .join('\n')}\n`;
    expect(await importCsv(csv)).toMatchObject({ ok: true, value: { imported: 5 } });
    const exported = (await backend.dispatch('export.csv', {})) as {
      ok: true;
      value: { csv: string };
    };
    const rows = parse(exported.value.csv, { columns: true }) as Record<string, string>[];
    for (const row of rows)
      for (const [column, value] of Object.entries(row))
        if (/^[=+\-@\t\r]/.test(value))
          // Only numbers (a negative temperature) may start with a sign.
          expect(Number.isFinite(Number(value)), `${column}=${value}`).toBe(true);
    expect(rows.map((r) => r.product)).toContain("'=cmd|' /C calc'!A0");
  });

  it('property-based: random CSV built from quotes, separators, CR/LF, NUL, formulas and long cells never crashes the importer; a refusal writes nothing', async () => {
    const cell = fc.oneof(
      fc.constantFrom(
        '2024-07-01',
        '2024-13-45',
        'Roll',
        '3',
        '-1',
        '1e999',
        'NaN',
        '',
        '"',
        '""',
        ',',
        '\r',
        '\n',
        '\r\n',
        '\u0000',
        '=1+1',
        '\uFEFF',
        'x'.repeat(500),
      ),
      fc.string({ maxLength: 12 }),
    );
    const file = fc.tuple(
      fc.constantFrom(H, `${H},baked,wasted`, 'date;product;sold', '', `\uFEFF${H}`),
      fc.array(fc.array(cell, { minLength: 0, maxLength: 6 }), { maxLength: 8 }),
      fc.constantFrom('\n', '\r\n', '\r'),
    );
    await fc.assert(
      fc.asyncProperty(file, async ([header, rows, eol]) => {
        const csv = [header, ...rows.map((r) => r.join(','))].join(eol);
        const before = state();
        const preview = await backend.dispatch('import.preview', { csv });
        if (!preview.ok) expect(preview.error.code).not.toBe('internal');
        const result = await importCsv(csv);
        if (result.ok) return;
        expect(result.error.code, result.error.message).toBe('bad-request');
        expect(result.error.message.length).toBeGreaterThan(10);
        expect(state()).toBe(before);
      }),
      { numRuns: 80, seed: 11 },
    );
  });
});
