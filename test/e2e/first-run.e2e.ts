import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MethodInput, MethodName } from '../../electron/api/contract/index.ts';
import {
  buildUi,
  freshDir,
  launchChromium,
  projectRoot,
  screenshot,
  startCli,
  type RunningCli,
  callApi,
} from './harness.ts';

const poll = <T>(read: () => T | Promise<T>) => expect.poll(read, { timeout: 20_000 });

/**
 * A new German bakery, as it starts: the app asks where the bakery is (prefilled from this
 * machine's Berlin clock), then imports the history the baker kept in Excel — saved by a German
 * Excel as "CSV (Trennzeichen-getrennt)": semicolons, decimal commas, dd.mm.yyyy dates and the
 * Windows code page — through the Import screen, with the counts exactly as in the file.
 */
describe('first run of a German bakery: where it is, then its Excel history', () => {
  let browser: Browser;
  let shop: RunningCli;
  let page: Page;
  let dbPath: string;

  const api = <M extends MethodName>(method: M, input: MethodInput<M>) =>
    callApi(page, method, input);

  beforeAll(async () => {
    await buildUi('renderer');
    dbPath = join(freshDir('breadcast-first-run-'), 'shop.sqlite');
    const started = await startCli(
      ['shop', '--db', dbPath, '--port', '0'],
      /(http:\/\/127\.0\.0\.1:\d+\/#secret=\S+)/,
      { TZ: 'Europe/Berlin', LANG: 'de_DE.UTF-8' },
    );
    shop = started.cli;
    browser = await launchChromium();
    page = await browser.newPage({
      viewport: { width: 1024, height: 768 },
      locale: 'de-DE',
      timezoneId: 'Europe/Berlin',
    });
    await page.goto(started.match[1]!);
    await page.getByTestId('app-info').waitFor();
  }, 240_000);

  afterAll(async () => {
    await browser?.close();
    await shop?.stop();
  });

  const selected = (testId: string) => page.getByTestId(testId).inputValue();

  it('asks where the bakery is before anything else, prefilled from the machine, in German', async () => {
    const question = page.getByTestId('location-question');
    await question.waitFor();
    expect(await question.getByRole('heading', { level: 1 }).textContent()).toBe(
      'Wo ist Ihre Bäckerei?',
    );
    await poll(() => selected('location-country')).toBe('DE');
    expect(await selected('location-currency')).toBe('EUR');
    expect(await selected('location-time-zone')).toBe('Europe/Berlin');
    expect(await selected('location-language')).toBe('de');
    expect(await page.getByTestId('location-source').textContent()).toContain('Zeitzone');
    // The country is named in German, the time zone as the baker knows it.
    expect(await page.getByTestId('location-country').locator('option:checked').textContent()).toBe(
      'Deutschland',
    );
    expect(
      await page.getByTestId('location-time-zone').locator('option:checked').textContent(),
    ).toContain('Mitteleuropäische');
    // The entry screen waits behind the question: nothing else to type into yet.
    expect(await page.getByTestId('entry-row').count()).toBe(0);
    await screenshot(page, 'first-run-question-de-1024');
  });

  it('proposes the currency and clock of another country, and keeps what the baker then picks', async () => {
    await page.getByTestId('location-country').selectOption('CH');
    expect(await selected('location-currency')).toBe('CHF');
    expect(await selected('location-time-zone')).toBe('Europe/Zurich');
    await page.getByTestId('location-country').selectOption('DE');
    expect(await selected('location-currency')).toBe('EUR');
    expect(await selected('location-time-zone')).toBe('Europe/Berlin');
    await page.getByTestId('location-region').selectOption('BY');

    await page.getByTestId('location-save').click();
    await page.getByTestId('location-question').waitFor({ state: 'detached' });
    const settings = await api('settings.get', {});
    expect(settings).toMatchObject({
      holidayRegion: { country: 'DE', state: 'BY' },
      currency: 'EUR',
      timeZone: 'Europe/Berlin',
      language: 'de',
      askLocation: false,
    });
    // Asked once: a reload goes straight to the app.
    await page.reload();
    await page.getByTestId('app-info').waitFor();
    await page.locator('main h1').first().waitFor();
    expect(await page.getByTestId('location-question').count()).toBe(0);
  });

  /** Three products over the 14 days up to yesterday, as a German Excel writes them. */
  const products = [
    { name: 'Brötchen', price: '0,45', baked: 120, sold: 104 },
    { name: 'Laugenbrezel', price: '0,95', baked: 60, sold: 51 },
    { name: 'Weißbrot 750 g', price: '3,20', baked: 24, sold: 15 },
  ];
  const days = 14;
  function excelCsv(today: string) {
    const lines = ['Datum;Artikel;Gebacken;Verkauft;Retoure;Preis;Temperatur'];
    const rows: string[][] = [];
    for (let back = days; back >= 1; back--) {
      const iso = new Date(Date.parse(`${today}T12:00:00Z`) - back * 86_400_000)
        .toISOString()
        .slice(0, 10);
      const [y, m, d] = iso.split('-');
      products.forEach((p, i) => {
        const sold = p.sold + ((back * (i + 3)) % 7);
        const wasted = p.baked - sold;
        const temperature = `${8 + (back % 5)},${back % 10}`;
        lines.push(
          [`${d}.${m}.${y}`, p.name, p.baked, sold, wasted, p.price, temperature].join(';'),
        );
        rows.push([iso, p.name, String(sold), String(p.baked), String(wasted)]);
      });
    }
    // Excel ends lines with CR LF and writes the Windows code page (ö, ß as single bytes).
    return { bytes: Buffer.from(lines.join('\r\n') + '\r\n', 'latin1'), rows };
  }

  it('imports the Excel file through the Import screen with exactly its rows, umlauts and prices', async () => {
    const today = await page.evaluate(() =>
      new Intl.DateTimeFormat('sv', { timeZone: 'Europe/Berlin' }).format(new Date()),
    );
    const { bytes, rows } = excelCsv(today);
    await page.evaluate(() => (location.hash = '#/import'));
    await page.getByTestId('import-file').setInputFiles({
      name: 'Verkauf Oktober.csv',
      mimeType: 'text/csv',
      buffer: bytes,
    });
    const counts = page.getByTestId('import-counts');
    await counts.waitFor();
    const figures = async () =>
      Object.fromEntries(
        await counts
          .locator('dt')
          .evaluateAll((terms) =>
            terms.map((dt) => [dt.textContent?.trim(), dt.nextElementSibling?.textContent?.trim()]),
          ),
      );
    await poll(figures).toMatchObject({
      Zeilen: String(days * products.length),
      Gültig: String(days * products.length),
      'Mit Fehlern': '0',
      Tage: String(days),
    });
    expect((await figures())['Produkte']).toMatch(/^3\b/);

    // How the file was read, in the baker's words.
    const dialect = await page.getByTestId('import-dialect').textContent();
    expect(dialect).toContain('Semikolon');
    expect(dialect).toContain('Dezimalkomma');
    expect(dialect).toContain('TT.MM.JJJJ');
    expect(dialect).toContain('Windows');
    for (const column of ['date', 'product', 'sold', 'baked', 'wasted', 'unit_price'] as const)
      expect(await page.getByTestId(`map-${column}`).inputValue()).not.toBe('');
    expect(await page.getByTestId('map-unit_price').inputValue()).toBe('Preis');
    const sideways = await page.evaluate(
      () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
    );
    expect(sideways).toBe(0);
    await screenshot(page, 'import-excel-de-1024');

    await page.getByTestId('import-commit').click();
    await poll(async () => (await page.getByTestId('import-result').textContent()) ?? '').toContain(
      String(days * products.length),
    );

    // In the database exactly as in the file, read back by the CLI.
    const exported = parse(
      execFileSync(
        process.execPath,
        [join(projectRoot, 'bin/breadcast.mjs'), 'export', '--db', dbPath, '--out', '-'],
        { encoding: 'utf8' },
      ),
      { columns: true },
    ) as Record<string, string>[];
    expect(exported.map((r) => [r.date, r.product, r.sold, r.baked, r.wasted]).sort()).toEqual(
      rows.sort(),
    );
    const prices = Object.fromEntries(exported.map((r) => [r.product, Number(r.unit_price)]));
    expect(prices).toEqual({ Brötchen: 0.45, Laugenbrezel: 0.95, 'Weißbrot 750 g': 3.2 });
    const temperatures = new Set(exported.map((r) => r.temperature));
    expect([...temperatures].every((t) => /^\d+(\.\d)?$/.test(t!))).toBe(true);
  });

  it('asks how dates like 01/02/2024 are written, and imports them as the baker chose', async () => {
    // A till that writes month/day/year: every day is 12 or less, so day/month fits as well.
    const names = ['Kaiserbrötchen', 'Mohnzopf'];
    const lines = ['Datum,Artikel,Gebacken,Verkauft'];
    const rows: string[][] = [];
    for (let day = 2; day <= 12; day++) {
      const dd = String(day).padStart(2, '0');
      names.forEach((name, i) => {
        lines.push(`01/${dd}/2024,${name},${60 + i},${30 + day}`);
        rows.push([`2024-01-${dd}`, name, String(60 + i), String(30 + day)]);
      });
    }
    // Another file: the Import screen opens afresh (it still shows the last import's result).
    await page.evaluate(() => (location.hash = '#/history'));
    await page.locator('#history-title, main h1').first().waitFor();
    await page.evaluate(() => (location.hash = '#/import'));
    await page.getByTestId('import-file').setInputFiles({
      name: 'kasse.csv',
      mimeType: 'text/csv',
      buffer: Buffer.from(lines.join('\n') + '\n', 'utf8'),
    });

    const chooser = page.getByTestId('import-date-format');
    await chooser.waitFor();
    const offered = await chooser
      .locator('option:not([disabled])')
      .evaluateAll((options) =>
        options.map((o) => [(o as HTMLOptionElement).value, o.textContent]),
      );
    expect(offered).toEqual([
      ['dd/mm/yyyy', 'TT/MM/JJJJ'],
      ['mm/dd/yyyy', 'MM/TT/JJJJ'],
    ]);
    expect(await page.getByTestId('import-problems').textContent()).toContain(
      'Daten wie 01/02/2024 lassen sich als TT/MM/JJJJ oder MM/TT/JJJJ lesen',
    );
    expect(await page.getByTestId('import-commit').isDisabled()).toBe(true);
    await screenshot(page, 'import-ambiguous-dates-de-1024');

    await chooser.locator('select').selectOption('mm/dd/yyyy');
    const counts = page.getByTestId('import-counts');
    const figures = async () =>
      Object.fromEntries(
        await counts
          .locator('dt')
          .evaluateAll((terms) =>
            terms.map((dt) => [dt.textContent?.trim(), dt.nextElementSibling?.textContent?.trim()]),
          ),
      );
    await poll(figures).toMatchObject({
      Zeilen: String(rows.length),
      Gültig: String(rows.length),
      'Mit Fehlern': '0',
      Tage: '11',
    });
    expect(await page.getByTestId('import-dialect').textContent()).toContain(
      'Daten als MM/TT/JJJJ',
    );
    expect(await page.getByTestId('import-problems').count()).toBe(0);
    // A history that ended long ago: the app says what the forecast can and cannot do with it.
    expect(await page.getByTestId('import-warning').textContent()).toMatch(
      /^Der neueste Tag in dieser Datei ist der .*2024, vor [\d.]+ Tagen\. Die Prognose lernt daraus/,
    );

    await page.getByTestId('import-commit').click();
    await poll(async () => (await page.getByTestId('import-result').textContent()) ?? '').toContain(
      String(rows.length),
    );
    // The 2nd to the 12th of January, not the first day of eleven months.
    const exported = parse(
      execFileSync(
        process.execPath,
        [join(projectRoot, 'bin/breadcast.mjs'), 'export', '--db', dbPath, '--out', '-'],
        { encoding: 'utf8' },
      ),
      { columns: true },
    ) as Record<string, string>[];
    const imported = exported
      .filter((r) => names.includes(r.product!))
      .map((r) => [r.date!, r.product!, r.baked!, r.sold!]);
    expect(imported.sort()).toEqual(rows.sort());
  });
});
