import { afterEach, describe, expect, it } from 'vitest';
import type { BackendEvent } from '../../../electron/api/contract/index.ts';
import { testBackend, type TestBackend } from './api.ts';

let backend: TestBackend | undefined;
afterEach(() => backend?.close());

const rows = (n: number) =>
  Array.from(
    { length: n },
    (_, i) => `2024-01-${String((i % 28) + 1).padStart(2, '0')},P${Math.floor(i / 28)},${i % 50}`,
  );

describe('import and export through the API', () => {
  it('previews without writing, then commits with progress events and a data.changed event', async () => {
    backend = testBackend();
    const csv = `date,product,sold,extra\n${rows(2800).join(',x\n')},x\n`;
    const events: BackendEvent[] = [];
    backend.context.events.subscribe((event) => events.push(event));
    const preview = await backend.ok('import.preview', { csv });
    expect(preview).toMatchObject({
      missingColumns: [],
      ignoredHeaders: ['extra'],
      problemCount: 0,
      canImport: true,
      needsStore: false,
      counts: {
        dataLines: 2800,
        valid: 2800,
        invalid: 0,
        products: 100,
        newProducts: 100,
        days: 28,
      },
    });
    expect((await backend.ok('products.list', {})).products).toEqual([]);
    const summary = await backend.ok('import.commit', { csv });
    expect(summary).toMatchObject({ imported: 2800, products: 100, days: 28, skipped: 0 });
    const progress = events.filter((e) => e.type === 'progress');
    expect(progress.length).toBeGreaterThan(0);
    expect(progress.at(-1)).toMatchObject({
      task: 'import',
      done: Buffer.byteLength(csv),
      total: Buffer.byteLength(csv),
    });
    expect(events).toContainEqual({ type: 'data.changed', scope: 'logs' });
  });

  it('refuses a bad file with one issue per problem, path naming the line and column', async () => {
    backend = testBackend();
    const result = await backend.call('import.commit', {
      csv: 'date,product,sold\n2024-01-01,Roll,x\n2024-02-30,Roll,1\n',
    });
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.error.code).toBe('bad-request');
      expect(result.error.issues).toMatchObject([
        {
          path: '2.sold',
          reason: {
            code: 'import.notANumber',
            params: { column: 'sold', raw: 'x', commaDecimal: false },
          },
        },
        {
          path: '3.date',
          reason: { code: 'import.dateNotInCalendar', params: { date: '2024-02-30' } },
        },
      ]);
    }
    const skipped = await backend.ok('import.commit', {
      csv: 'date,product,sold\n2024-01-01,Roll,x\n2024-01-02,Roll,1\n',
      skipInvalid: true,
    });
    expect(skipped).toMatchObject({ imported: 1, products: 1, days: 1, skipped: 1 });
  });

  it('uses a column mapping and a chosen store, and exports what it imported', async () => {
    backend = testBackend();
    // A bakery in North Rhine-Westphalia: its calendar names New Year's Day a holiday.
    await backend.ok('settings.set', { holidayRegion: { country: 'DE', state: 'NW' } });
    const csv = 'Tag,Filiale,Artikel,Menge\n2024-01-01,1,Roll,10\n2024-01-01,2,Roll,20\n';
    const preview = await backend.ok('import.preview', {
      csv,
      mapping: { date: 'Tag', store: 'Filiale', product: 'Artikel', sold: 'Menge' },
    });
    expect(preview).toMatchObject({ stores: ['1', '2'], needsStore: true, canImport: false });
    const summary = await backend.ok('import.commit', {
      csv,
      mapping: { date: 'Tag', store: 'Filiale', product: 'Artikel', sold: 'Menge' },
      store: '2',
    });
    expect(summary.imported).toBe(1);
    const exported = await backend.ok('export.csv', {});
    expect(exported.rows).toBe(1);
    // An unnamed bakery: the file is named after the app and the bakery's day.
    expect(exported.fileName).toMatch(/^breadcast-\d{4}-\d{2}-\d{2}\.csv$/);
    expect(exported.csv.split('\n')[1]).toBe('2024-01-01,Roll,20,,,other,1,,,0,1,,,0,,,,');
  });
});
