import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  buildUi,
  callApi,
  freshDir,
  launchChromium,
  startCli,
  type RunningCli,
} from './harness.ts';
import { chooseLanguage, keepToasts, ScreenWalk, showRoute, walkLanguages } from './screen-walk.ts';

/**
 * What a new bakery sees, at 1024×768 in en, de and fr: the first-run question, every screen
 * while it has nothing yet, and the import wizard through all its steps (a file that cannot be
 * read, a file missing a column, a file with dates to choose and a line to skip, the result).
 * No screen may scroll sideways; in German and French no English may show.
 */
describe('a new bakery at 1024×768, in en, de and fr', () => {
  let shop: RunningCli;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    await buildUi('renderer');
    const started = await startCli(
      ['shop', '--db', join(freshDir('breadcast-new-bakery-'), 'shop.sqlite'), '--port', '0'],
      /(http:\/\/127\.0\.0\.1:\d+\/#secret=\S+)/,
      { TZ: 'Europe/Berlin' },
    );
    shop = started.cli;
    browser = await launchChromium();
    page = await browser.newPage({
      viewport: { width: 1024, height: 768 },
      locale: 'en-US',
      timezoneId: 'Europe/Berlin',
    });
    await keepToasts(page);
    await page.goto(started.match[1]!);
    await page.getByTestId('app-info').waitFor();
  }, 240_000);

  afterAll(async () => {
    await browser?.close();
    await shop?.stop();
  });

  const testId = (id: string) => page.getByTestId(id);
  const ready = (selector: string) => page.locator(selector).first().waitFor({ timeout: 20_000 });
  const htmlLang = () => page.evaluate(() => document.documentElement.lang);

  it('asks where the bakery is, in each language the question offers', async () => {
    await ready('[data-testid="location-question"] [data-testid="location-save"]');
    // A country with regions, so the region list is filled too.
    await testId('location-country').selectOption('DE');
    const walks: ScreenWalk[] = [];
    for (const language of walkLanguages) {
      await testId('location-language').selectOption(language);
      await expect.poll(htmlLang, { timeout: 20_000 }).toBe(language);
      const walk = new ScreenWalk(page, language);
      await walk.look('location-question');
      walks.push(walk);
    }
    await testId('location-language').selectOption('en');
    await testId('location-save').click();
    await testId('location-question').waitFor({ state: 'detached' });
    for (const walk of walks) walk.expectClean();
  });

  /** Every screen with nothing entered yet; the consortium also refusing an empty form. */
  async function emptyScreens(walk: ScreenWalk) {
    const screens: [string, string][] = [
      ['today', 'main .card.empty'],
      ['forecast', '[data-testid="forecast-empty"], [data-testid="forecast-unavailable"]'],
      ['history', 'main .card.empty'],
      ['products', 'main .card.empty'],
      ['import', '[data-testid="import-file"]'],
      ['consortium', '[data-testid="enrol"] button.primary'],
      ['settings', 'main .about'],
    ];
    for (const [route, shown] of screens) {
      await showRoute(page, route);
      await ready(shown);
      await walk.look(`${route}-empty`);
    }
    await showRoute(page, 'consortium');
    await testId('enrol').locator('button.primary').click();
    await ready('[data-testid="enrol"] .field-error');
    await walk.look('consortium-refused');
  }

  for (const language of walkLanguages) {
    it(`${language}: every screen of a bakery with nothing yet`, async () => {
      await chooseLanguage(page, language);
      const walk = new ScreenWalk(page, language);
      await emptyScreens(walk);
      walk.expectClean();
    });
  }

  /** Dates that fit day/month and month/day, a line that is not a count, a column of no use. */
  function tillFile(): Buffer {
    const lines = ['Datum,Artikel,Gebacken,Verkauft,Kassierer'];
    for (let day = 2; day <= 12; day++) {
      const dd = String(day).padStart(2, '0');
      lines.push(`01/${dd}/2024,Mohnzopf,40,${20 + day},Anna`);
    }
    lines.push('01/05/2024,Kümmelbrot,30,viele,Anna');
    return Buffer.from(lines.join('\n') + '\n', 'utf8');
  }

  const choose = (name: string, text: string) =>
    testId('import-file').setInputFiles({
      name,
      mimeType: 'text/csv',
      buffer: Buffer.from(text, 'utf8'),
    });

  async function importWizard(walk: ScreenWalk) {
    // The wizard opens afresh (it still shows the last language's result otherwise).
    await showRoute(page, 'history');
    await page.locator('main h1').first().waitFor();
    await showRoute(page, 'import');
    await ready('[data-testid="import-file"]');

    await choose('leer.csv', '\n');
    await ready('main .field-error');
    await walk.look('import-empty-file');

    await choose('ohne-verkauf.csv', 'Datum;Artikel;Gebacken\n02.01.2024;Mohnzopf;40\n');
    await ready('[data-testid="import-blocked"]');
    await walk.look('import-missing-column');

    await page.locator('main .file button').click();
    await ready('[data-testid="import-file"]');
    await choose('kasse.csv', tillFile().toString('utf8'));
    await ready('[data-testid="import-date-format"] select');
    await ready('[data-testid="import-problems"]');
    await page.locator('main details:not([open]) > summary').first().click();
    await walk.look('import-check');

    await testId('import-date-format').locator('select').selectOption('mm/dd/yyyy');
    await ready('[data-testid="skip-invalid"]');
    await testId('skip-invalid').check();
    await expect.poll(() => testId('import-commit').isEnabled(), { timeout: 20_000 }).toBe(true);
    await walk.look('import-preview');

    await testId('import-commit').click();
    await ready('[data-testid="import-result"]');
    await walk.look('import-result');
  }

  for (const language of walkLanguages) {
    it(`${language}: the import wizard, step by step`, async () => {
      await chooseLanguage(page, language);
      const walk = new ScreenWalk(page, language);
      // The files' own column names are shown as they are, in whatever language they were written.
      walk.data.push('Datum', 'Artikel', 'Gebacken', 'Verkauft', 'Kassierer');
      await importWizard(walk);
      expect(walk.looked).toHaveLength(5);
      walk.expectClean();
    });
  }

  it("History's waste rate is the total of the products' figures, over counts the bakery keeps", async () => {
    // Ten October days: two products counted with their waste, one known only from the till.
    const counted = [
      { name: 'Roggenbrot', sold: (d: number) => 30 + (d % 4), wasted: (d: number) => d % 3 },
      { name: 'Seele', sold: (d: number) => 50 + d, wasted: (d: number) => 4 + (d % 5) },
    ];
    const lines = ['date,product,sold,wasted'];
    for (let d = 1; d <= 10; d++) {
      const date = `2026-10-${String(d).padStart(2, '0')}`;
      for (const p of counted) lines.push(`${date},${p.name},${p.sold(d)},${p.wasted(d)}`);
      lines.push(`${date},Kipferl,${70 + d},`);
    }
    const imported = await callApi(page, 'import.commit', { csv: lines.join('\n') + '\n' });
    expect(imported.imported).toBe(30);

    const sum = (f: (d: number) => number) =>
      Array.from({ length: 10 }, (_, i) => f(i + 1)).reduce((a, b) => a + b, 0);
    const sold = counted.map((p) => sum(p.sold));
    const wasted = counted.map((p) => sum(p.wasted));
    const tillSold = sum((d) => 70 + d);
    const allWasted = wasted[0]! + wasted[1]!;
    // Waste is counted against what was sold where waste is known: the till's product does not
    // dilute the rate, and the summary is exactly the products' total.
    const expectedRate = allWasted / (sold[0]! + sold[1]! + allWasted);

    await chooseLanguage(page, 'en');
    await showRoute(page, 'history?from=2026-10-01&to=2026-10-10');
    await ready('[data-testid="per-product-total"]');
    const percent = (x: number) =>
      new Intl.NumberFormat('en-GB', { style: 'percent', maximumFractionDigits: 1 }).format(x);
    const rows = await page
      .locator('[data-testid="per-product-total"]')
      .locator('xpath=ancestor::table')
      .locator('tbody tr')
      .evaluateAll((trs) =>
        trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent!.trim())),
      );
    const count = (text: string) => Number(text.replace(/,/g, ''));
    const byName = Object.fromEntries(rows.map(([name, ...rest]) => [name, rest]));
    expect(byName).toMatchObject({
      Roggenbrot: [
        String(sold[0]),
        String(wasted[0]),
        percent(wasted[0]! / (sold[0]! + wasted[0]!)),
      ],
      Seele: [String(sold[1]), String(wasted[1]), percent(wasted[1]! / (sold[1]! + wasted[1]!))],
    });
    expect(count(byName['Kipferl']![0]!)).toBe(tillSold);
    const shown = (await testId('summary-waste-rate').textContent())!.trim();
    expect(shown).toBe(percent(expectedRate));
    // The products' own lines add up to the summary's sold and wasted.
    const total = await testId('per-product-total')
      .locator('td')
      .evaluateAll((tds) => tds.map((td) => td.textContent!.trim()));
    expect(total.map(count).slice(0, 2)).toEqual([
      rows.reduce((a, [, s]) => a + count(s!), 0),
      allWasted,
    ]);
    expect(total[2]).toBe(shown);
  });
});
