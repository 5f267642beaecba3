import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MethodInput, MethodName } from '../../electron/api/contract/index.ts';
import {
  answerLocation,
  freshDir,
  launchChromium,
  screenshot,
  startCli,
  type RunningCli,
  callApi,
} from './harness.ts';

/** Waits for a value the page reaches asynchronously (vitest's default of one second is too short under load). */
const poll = <T>(read: () => T | Promise<T>, options: { timeout?: number } = {}) =>
  expect.poll(read, { timeout: 60_000, ...options });

/** The bakery app in browser mode against the real `breadcast shop` and a fresh database. */
describe('bakery app', () => {
  let browser: Browser;
  let shop: RunningCli;
  let url: string;
  let page: Page;
  let dir: string;
  const day = '2026-11-20';
  const productCount = 30;
  const names = Array.from(
    { length: productCount },
    (_, i) => `Brot ${String(i + 1).padStart(2, '0')}`,
  );

  const api = <M extends MethodName>(method: M, input: MethodInput<M>) =>
    callApi(page, method, input);

  const go = async (hash: string) => {
    await page.evaluate((value) => (location.hash = value), hash);
  };

  beforeAll(async () => {
    dir = freshDir();
    const started = await startCli(
      ['shop', '--db', join(dir, 'shop.sqlite'), '--port', '0'],
      /(http:\/\/127\.0\.0\.1:\d+\/#secret=\S+)/,
    );
    shop = started.cli;
    url = started.match[1]!;
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1280, height: 900 }, locale: 'en-GB' });
    await page.goto(url);
    await page.getByTestId('app-info').waitFor();
    await answerLocation(page);
  });

  afterAll(async () => {
    await browser?.close();
    await shop?.stop();
  });

  it('imports a CSV through the wizard: maps a differing header, lists a bad line, skips it', async () => {
    // Three days of history for 30 products, with one bad line and a till's own product header that
    // no alias knows, so the wizard must ask for the mapping.
    const lines = ['date,PLU-Text,sold,baked,wasted'];
    for (const date of ['2026-11-17', '2026-11-18', '2026-11-19']) {
      names.forEach((name, i) => lines.push(`${date},${name},${10 + i},${14 + i},2`));
    }
    lines.push('2026-11-19,Brot 01,many,20,1');
    const file = join(dir, 'till-export.csv');
    writeFileSync(file, lines.join('\n') + '\n');

    await go('#/import');
    await page.getByTestId('import-file').setInputFiles(file);
    const productSelect = page.getByTestId('map-product');
    await poll(() => productSelect.getAttribute('aria-invalid')).toBe('true');
    await productSelect.selectOption('PLU-Text');

    const problems = page.getByTestId('import-problems');
    await poll(() => problems.textContent()).toContain('many');
    // Line numbers count the header as line 1: the bad row is the file's last line.
    expect(await problems.locator('tbody tr td').first().textContent()).toBe(String(lines.length));
    await poll(() => page.getByTestId('import-blocked').isVisible()).toBe(true);
    expect(await page.getByTestId('import-commit').isDisabled()).toBe(true);
    await screenshot(page, 'bakery-import');

    await page.getByTestId('skip-invalid').check();
    await poll(() => page.getByTestId('import-commit').isDisabled()).toBe(false);
    await page.getByTestId('import-commit').click();
    const result = page.getByTestId('import-result');
    await result.waitFor();
    expect(await result.textContent()).toContain('90 lines imported: 30 products over 3 days');
    expect(await result.textContent()).toContain('1 lines with problems were skipped');

    const listed = await api('products.list', {});
    expect(listed.products).toHaveLength(productCount);
  });

  it('takes a whole day for 30 products from the keyboard alone and keeps it after a reload', async () => {
    await go(`#/today?date=${day}`);
    const rows = page.getByTestId('entry-row');
    await poll(() => rows.count()).toBe(productCount);
    // Yesterday's baked count is offered as the placeholder hint.
    expect(await rows.nth(0).getByTestId('baked').getAttribute('placeholder')).toBe('14');

    const baked = (i: number) => String(20 + i);
    const sold = (i: number) => String(15 + i);
    const wasted = (i: number) => String(i % 3);

    await rows.nth(0).getByTestId('baked').focus();
    for (let i = 0; i < productCount; i++) {
      await page.keyboard.type(baked(i));
      await page.keyboard.press('Tab');
      await page.keyboard.type(sold(i));
      await page.keyboard.press('Tab');
      await page.keyboard.type(wasted(i));
      // Enter goes down to the same column, Shift+Tab twice back to "baked" of that row.
      await page.keyboard.press('Enter');
      if (i < productCount - 1) {
        await page.keyboard.press('Shift+Tab');
        await page.keyboard.press('Shift+Tab');
      }
    }
    const statuses = page.getByTestId('row-status');
    await poll(
      async () =>
        (
          await statuses.evaluateAll((cells) => cells.map((c) => c.getAttribute('data-status')))
        ).join(','),
      {
        timeout: 20_000,
      },
    ).toBe(Array(productCount).fill('saved').join(','));
    expect(await page.getByTestId('day-summary').textContent()).toContain(
      '30 of 30 products entered',
    );
    await screenshot(page, 'bakery-today');

    await page.reload();
    await poll(() => page.getByTestId('entry-row').count()).toBe(productCount);
    const values = await page
      .getByTestId('entry-row')
      .evaluateAll((trs) =>
        trs.map((tr) =>
          ['baked', 'sold', 'wasted'].map(
            (field) => (tr.querySelector(`[data-testid="${field}"]`) as HTMLInputElement).value,
          ),
        ),
      );
    expect(values).toEqual(names.map((_, i) => [baked(i), sold(i), wasted(i)]));

    const saved = await api('logs.day', { date: day });
    expect(saved.rows.map((row) => row.log?.sold)).toEqual(names.map((_, i) => 15 + i));
  });

  it('refuses letters in a count field and shows the backend’s message beside the field', async () => {
    const date = '2026-11-21';
    await go(`#/today?date=${date}`);
    const row = page.getByTestId('entry-row').first();
    await row.waitFor();
    // A new date starts empty: nothing of the day before may linger in the inputs.
    await poll(() => page.getByTestId('entry-row').nth(1).getByTestId('sold').inputValue()).toBe(
      '',
    );
    const bakedInput = row.getByTestId('baked');
    await bakedInput.focus();
    await page.keyboard.type('5a');
    expect(await bakedInput.inputValue()).toBe('5');
    expect(await row.getByTestId('error-baked').textContent()).toContain('Digits only');

    await page.keyboard.press('Tab');
    await page.keyboard.type('4');
    await page.keyboard.press('Tab');
    await page.keyboard.type('3');
    await page.keyboard.press('Enter');

    const soldError = row.getByTestId('error-sold');
    await soldError.waitFor();
    expect(await soldError.textContent()).toContain('more than baked 5');
    const errorId = await soldError.getAttribute('id');
    expect(await row.getByTestId('sold').getAttribute('aria-describedby')).toBe(errorId);
    expect(await row.getByTestId('sold').getAttribute('aria-invalid')).toBe('true');
    expect(await row.getByTestId('row-status').getAttribute('data-status')).toBe('error');
    // Nothing was saved, nothing silently fixed.
    const sheet = await api('logs.day', { date });
    expect(sheet.rows[0]!.log).toBeNull();
    expect(await bakedInput.inputValue()).toBe('5');
    await screenshot(page, 'bakery-today-invalid');

    // Correcting the count saves the row.
    await row.getByTestId('wasted').fill('1');
    await row.getByTestId('wasted').dispatchEvent('input');
    await row.getByTestId('wasted').press('Enter');
    await poll(() => row.getByTestId('row-status').getAttribute('data-status')).toBe('saved');
  });

  it('shows every main screen', async () => {
    // Each screen with the element that shows its data has arrived.
    const ready = {
      history: '[data-testid="chart-sold"]',
      products: '[data-testid="products-table"]',
      forecast: '[data-testid="model-panel"]',
      consortium: '[data-testid="enrol"]',
      settings: 'main .about',
    };
    for (const [screen, selector] of Object.entries(ready)) {
      await go(`#/${screen}`);
      await page.locator(selector).first().waitFor();
      await screenshot(page, `bakery-${screen}`);
    }
    await go(`#/history?product=1`);
    await page.getByTestId('chart-sold').waitFor();
    expect(await page.getByTestId('history-table').textContent()).toContain('Brot 01');
  });

  it("shows a past day's correction in that day's edit trail", async () => {
    const first = (await api('logs.day', { date: day })).rows[0]!;
    const log = first.log!;
    const saved = await api('logs.saveRow', {
      date: day,
      productId: first.product.id,
      baked: log.baked,
      sold: log.sold - 1,
      wasted: log.wasted,
    });
    expect(saved.editsRecorded).toBe(1);
    const trail = await api('logs.edits', { productId: first.product.id, limit: 1000 });
    const changes = trail.edits.filter((edit) => edit.date === day).length;

    // The address alone chooses the product and the range, also while History is open.
    await go(`#/history?product=${first.product.id}&from=${day}&to=${day}`);
    const table = page.getByTestId('history-table');
    await poll(() => table.locator('tr.day').count()).toBe(1);
    const toggle = table.getByRole('button', {
      name: changes === 1 ? '1 change' : `${changes} changes`,
    });
    await toggle.click();
    expect(await toggle.getAttribute('aria-expanded')).toBe('true');
    expect(await page.getByTestId('edit-trail').textContent()).toContain(
      `Brot 01, sold changed from ${log.sold} to ${log.sold - 1}`,
    );
  });

  it('switches to German and keeps numbers and dates in the German style', async () => {
    await go('#/settings');
    await page.getByTestId('language').selectOption('de');
    await poll(() => page.getByTestId('nav-today').textContent()).toContain('Tageserfassung');
    expect(await page.evaluate(() => document.documentElement.lang)).toBe('de');
    expect(await page.locator('main h1').textContent()).toBe('Einstellungen');

    await go(`#/today?date=${day}`);
    await poll(() => page.getByTestId('entry-row').count()).toBe(productCount);
    expect(await page.locator('main .lead').first().textContent()).toBe(
      'Freitag, 20. November 2026',
    );
    await poll(() => page.getByTestId('day-summary').textContent()).toContain(
      '30 von 30 Produkten erfasst',
    );
    await screenshot(page, 'bakery-today-de');

    // The choice is the bakery's setting too, and survives a reload.
    const settings = await api('settings.get', {});
    expect(settings.language).toBe('de');
    await page.reload();
    await poll(() => page.getByTestId('nav-today').textContent()).toContain('Tageserfassung');
  });
});
