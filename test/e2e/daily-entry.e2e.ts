import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MethodInput, MethodName } from '../../electron/api/contract/index.ts';
import {
  answerLocation,
  freshDir,
  launchChromium,
  projectRoot,
  screenshot,
  startCli,
  type RunningCli,
  callApi,
} from './harness.ts';

// A condition, not a duration: generous, since CI runs this at load 15–25 on two cores.
const poll = <T>(read: () => T | Promise<T>) => expect.poll(read, { timeout: 60_000 });

/**
 * The keyboard contract of the daily entry, on a 30-product bakery in Chromium against the real
 * `breadcast shop`: where the cursor starts, what Tab and Enter do, how many keys a day takes,
 * what is refused, and that the counts are in the database afterwards (read by the CLI export).
 */
describe('daily entry by keyboard', () => {
  let browser: Browser;
  let shop: RunningCli;
  let page: Page;
  let url: string;
  let dbPath: string;
  const productCount = 30;
  const names = Array.from(
    { length: productCount },
    (_, i) => `Brot ${String(i + 1).padStart(2, '0')}`,
  );
  /** Every key pressed, so the test can count them. */
  let keys = 0;

  async function typeDigits(text: string) {
    for (const digit of text) {
      await page.keyboard.press(digit);
      keys++;
    }
  }
  async function press(key: string) {
    await page.keyboard.press(key);
    keys++;
  }

  const api = <M extends MethodName>(method: M, input: MethodInput<M>) =>
    callApi(page, method, input);

  /** What has focus, as "testid@row" (row = the product's position on the sheet). */
  const focused = () =>
    page.evaluate(() => {
      const element = document.activeElement as HTMLElement | null;
      const row = element?.closest('[data-testid="entry-row"]');
      const rows = [...document.querySelectorAll('[data-testid="entry-row"]')];
      return `${element?.dataset.testid ?? element?.tagName}@${row ? rows.indexOf(row) : '-'}`;
    });

  /** The CSV export of the database, as the CLI writes it, for one date. */
  function exported(date: string) {
    const csv = execFileSync(
      process.execPath,
      [join(projectRoot, 'bin/breadcast.mjs'), 'export', '--db', dbPath, '--out', '-'],
      { encoding: 'utf8' },
    );
    const rows = parse(csv, { columns: true }) as Record<string, string>[];
    return rows
      .filter((row) => row.date === date)
      .sort((a, b) => a.product!.localeCompare(b.product!))
      .map((row) => [row.product, row.baked, row.sold, row.wasted]);
  }

  const today = () => page.evaluate(() => new Date().toLocaleDateString('sv'));
  const dayBefore = (iso: string, days: number) =>
    new Date(Date.parse(`${iso}T12:00:00Z`) - days * 86_400_000).toISOString().slice(0, 10);

  /** Opens a day and waits for its own rows: until they come, the last day's sheet is inert. */
  async function openDay(date: string): Promise<void> {
    await page.evaluate((d) => (location.hash = `#/today?date=${d}`), date);
    await poll(() => page.getByTestId('entry-table').getAttribute('data-date')).toBe(date);
    await poll(() => page.getByTestId('entry-row').count()).toBe(productCount);
  }

  beforeAll(async () => {
    const dir = freshDir();
    dbPath = join(dir, 'shop.sqlite');
    const started = await startCli(
      ['shop', '--db', dbPath, '--port', '0'],
      /(http:\/\/127\.0\.0\.1:\d+\/#secret=\S+)/,
    );
    shop = started.cli;
    url = started.match[1]!;
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1024, height: 768 }, locale: 'en-GB' });
    await page.goto(url);
    await page.getByTestId('app-info').waitFor();
    await answerLocation(page);
    for (const name of names) await api('products.create', { name, category: 'bread' });
  });

  afterAll(async () => {
    await browser?.close();
    await shop?.stop();
  });

  const baked = (i: number) => String(40 + i);
  const sold = (i: number) => String(31 + i);
  const wasted = (i: number) => String(i % 4);
  const digitsOf = (values: string[]) => values.join('').length;

  it('opens on today with the cursor in the first baked cell, and takes a day row by row with one Tab per cell', async () => {
    // The app starts again (a reload of its start page), now with products and today empty.
    await page.reload();
    await poll(() => page.getByTestId('entry-row').count()).toBe(productCount);
    await poll(focused).toBe('baked@0');

    keys = 0;
    const typed: string[] = [];
    for (let i = 0; i < productCount; i++) {
      for (const value of [baked(i), sold(i), wasted(i)]) {
        await typeDigits(value);
        typed.push(value);
        await press('Tab');
      }
      if (i < productCount - 1) expect(await focused()).toBe(`baked@${i + 1}`);
    }
    expect(keys).toBe(digitsOf(typed) + 3 * productCount);

    await poll(async () =>
      (
        await page
          .getByTestId('row-status')
          .evaluateAll((cells) => cells.map((c) => c.getAttribute('data-status')))
      ).join(),
    ).toBe(Array(productCount).fill('saved').join());
    const date = await today();
    expect(exported(date)).toEqual(names.map((name, i) => [name, baked(i), sold(i), wasted(i)]));
    await screenshot(page, 'entry-row-by-row-1024');
  });

  it('takes a day column by column with one Enter per cell: down each column, then on to the top of the next', async () => {
    const date = dayBefore(await today(), 1);
    await page.evaluate(() => (location.hash = '#/history'));
    await openDay(date);
    await poll(focused).toBe('baked@0');

    keys = 0;
    const typed: string[] = [];
    const columns: [string, (i: number) => string][] = [
      ['baked', baked],
      ['sold', sold],
      ['wasted', wasted],
    ];
    for (const [name, value] of columns) {
      expect(await focused()).toBe(`${name}@0`);
      for (let i = 0; i < productCount; i++) {
        await typeDigits(value(i));
        typed.push(value(i));
        await press('Enter');
      }
    }
    expect(keys).toBe(digitsOf(typed) + 3 * productCount);
    await poll(() => page.locator('[data-testid="row-status"][data-status="saved"]').count()).toBe(
      productCount,
    );

    // The same counts after a reload, and in the database as the CLI exports it.
    await page.reload();
    await poll(() => page.getByTestId('entry-row').count()).toBe(productCount);
    const shown = await page
      .getByTestId('entry-row')
      .evaluateAll((rows) =>
        rows.map((row) =>
          ['baked', 'sold', 'wasted'].map(
            (field) => (row.querySelector(`[data-testid="${field}"]`) as HTMLInputElement).value,
          ),
        ),
      );
    expect(shown).toEqual(names.map((_, i) => [baked(i), sold(i), wasted(i)]));
    expect(exported(date)).toEqual(names.map((name, i) => [name, baked(i), sold(i), wasted(i)]));
  });

  it('goes back with Shift+Tab and Shift+Enter, and reaches the optional fields only by F2 or the mouse', async () => {
    await poll(focused).toBe('baked@0');
    await page.getByTestId('entry-row').nth(1).getByTestId('baked').focus();
    await page.keyboard.press('Shift+Tab');
    expect(await focused()).toBe('wasted@0');
    await page.keyboard.press('Shift+Enter');
    expect(await focused()).toBe('sold@29');
    await page.getByTestId('entry-row').nth(0).getByTestId('sold').focus();
    await page.keyboard.press('Shift+Enter');
    expect(await focused()).toBe('baked@29');

    await page.keyboard.press('F2');
    expect(await focused()).toBe('soldOut@29');
    await page.keyboard.press('Escape');
    expect(await focused()).toBe('baked@29');
    await page.getByTestId('entry-row').nth(3).getByTestId('details-toggle').click();
    await poll(() => page.getByTestId('entry-row').nth(3).getByTestId('soldOut').isVisible()).toBe(
      true,
    );
  });

  it('refuses a minus sign and a seventh digit visibly, changing nothing that was typed', async () => {
    const row = page.getByTestId('entry-row').nth(5);
    const input = row.getByTestId('baked');
    await input.focus();
    await page.keyboard.press('End');
    const before = await input.inputValue();
    await page.keyboard.type('-');
    expect(await input.inputValue()).toBe(before);
    expect(await row.getByTestId('error-baked').textContent()).toContain('Digits only');
    await input.fill('');
    await page.keyboard.type('1234567');
    expect(await input.inputValue()).toBe('123456');
    expect(await row.getByTestId('error-baked').textContent()).toContain('At most 6 digits');
    expect(await input.getAttribute('aria-invalid')).toBe('true');
    await screenshot(page, 'entry-refused-1024');
    // Put back the count and leave the row: it saves the count that was there.
    await input.fill(before);
    await input.dispatchEvent('input');
    await page.keyboard.press('Tab');
  });

  it('keeps the row being typed when the page reloads before it was left', async () => {
    const date = dayBefore(await today(), 2);
    await openDay(date);
    await page.getByTestId('entry-row').nth(0).getByTestId('baked').focus();
    await page.keyboard.type('12');
    await page.keyboard.press('Tab');
    await page.keyboard.type('9');
    // Still in the row, before the idle save: the reload itself must not lose it.
    await page.reload();
    await poll(async () => (await api('logs.day', { date })).rows[0]?.log?.sold ?? null).toBe(9);
    expect((await api('logs.day', { date })).rows[0]?.log?.baked).toBe(12);
  });

  it('saves the row on the next load when the save sent as the page unloaded never arrived', async () => {
    const date = dayBefore(await today(), 3);
    await openDay(date);
    // Every save of the leaving page is lost on the way, as on a machine too busy to send it.
    let lost = 0;
    let losing = true;
    await page.route('**/api/logs.saveRow', async (route) => {
      if (!losing) return route.continue();
      lost++;
      return route.abort();
    });
    await page.getByTestId('entry-row').nth(1).getByTestId('baked').focus();
    await page.keyboard.type('21');
    await page.keyboard.press('Tab');
    await page.keyboard.type('17');
    await page.reload({ waitUntil: 'commit' });
    losing = false;
    await poll(() => lost).toBeGreaterThan(0);
    await poll(async () => (await api('logs.day', { date })).rows[1]?.log?.sold ?? null).toBe(17);
    expect((await api('logs.day', { date })).rows[1]?.log?.baked).toBe(21);
    await poll(() =>
      page.getByTestId('entry-row').nth(1).getByTestId('row-status').getAttribute('data-status'),
    ).toBe('saved');
    await page.unroute('**/api/logs.saveRow');
  });

  it('keeps the column headings in view below the top bar while scrolling a long day', async () => {
    await page.evaluate(() => window.scrollTo(0, document.body.scrollHeight));
    const heading = page.locator('[data-testid="entry-table"] thead th').nth(1);
    const box = await heading.boundingBox();
    const bar = await page.locator('header.top').boundingBox();
    expect(box && bar).toBeTruthy();
    expect(Math.abs(box!.y - (bar!.y + bar!.height))).toBeLessThan(2);
    // Nothing covers it: the point at its middle is the heading itself.
    const hit = await page.evaluate(
      ([x, y]) => document.elementFromPoint(x!, y!)?.closest('th')?.textContent?.trim() ?? null,
      [box!.x + box!.width / 2, box!.y + box!.height / 2],
    );
    expect(hit).toBe('Baked');
    await screenshot(page, 'entry-scrolled-1024');
  });
});
