import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildUi, freshDir, launchChromium, startCli, type RunningCli } from './harness.ts';
import {
  chooseLanguage,
  englishWordCount,
  keepToasts,
  ScreenWalk,
  showRoute,
  walkLanguages,
} from './screen-walk.ts';

/**
 * Every screen and dialog of a bakery that has history, a model and a consortium (the demo
 * bakery), at 1024×768: no screen may scroll sideways, and in German and French no English may
 * show — neither the dictionaries' own words left untranslated nor sentences from the backend.
 * A new bakery's screens (first-run question, empty states, the import wizard) are walked in
 * screens-new-bakery.e2e.ts.
 */
describe('every screen and dialog of a running bakery at 1024×768, in en, de and fr', () => {
  let demo: RunningCli;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    await buildUi('renderer');
    const dir = freshDir('breadcast-screens-e2e-');
    const started = await startCli(
      ['demo', '--dir', join(dir, 'demo'), '--stores', '5', '--rounds', '1'],
      /Bakery app:\s+(\S+)/,
      {},
      380_000,
    );
    demo = started.cli;
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1024, height: 768 }, locale: 'en-US' });
    await keepToasts(page);
    await page.goto(started.match[1]!);
    await page.getByTestId('app-info').waitFor();
  }, 400_000);

  afterAll(async () => {
    await browser?.close();
    await demo?.stop();
  });

  const testId = (id: string) => page.getByTestId(id);
  const ready = (selector: string) => page.locator(selector).first().waitFor({ timeout: 20_000 });

  /** The day's entry, a row's optional fields, and a refused keystroke. */
  async function today(walk: ScreenWalk) {
    await showRoute(page, 'today');
    await ready('[data-testid="entry-row"]');
    await testId('details-toggle').first().click();
    await ready('[data-testid="entry-details"]');
    await walk.look('today');
    await testId('sold').first().focus();
    await page.keyboard.press('-');
    await ready('[data-testid="error-sold"]');
    await walk.look('today-refused-input');
  }

  /** Tomorrow's forecast with its accuracy and the model's technical details opened. */
  async function forecast(walk: ScreenWalk) {
    await showRoute(page, 'forecast');
    await ready('[data-testid="forecast-table"], [data-testid="forecast-empty"]');
    await ready('[data-testid="accuracy-panel"]');
    await page
      .locator('main details:not([open]) > summary')
      .evaluateAll((summaries) => summaries.forEach((summary) => (summary as HTMLElement).click()));
    await walk.look('forecast');
  }

  async function history(walk: ScreenWalk) {
    await showRoute(page, 'history');
    await ready('[data-testid="chart-sold"] canvas');
    await ready('[data-testid="per-product-total"]');
    await walk.look('history');
  }

  /** The product list, the new-product dialog (also refusing a nameless product), editing one. */
  async function products(walk: ScreenWalk) {
    await showRoute(page, 'products');
    await ready('[data-testid="products-table"]');
    await walk.look('products');
    await testId('new-product').click();
    await ready('dialog[open] [data-testid="product-name"]');
    await walk.look('product-new');
    await testId('product-save').click();
    await ready('dialog[open] .field-error');
    await walk.look('product-new-refused');
    await page.keyboard.press('Escape');
    await page.locator('dialog[open]').waitFor({ state: 'detached' });
    await page.locator('[data-testid="products-table"] tbody tr button').first().click();
    await ready('dialog[open] [data-testid="product-name"]');
    await walk.look('product-edit');
    await page.keyboard.press('Escape');
    await page.locator('dialog[open]').waitFor({ state: 'detached' });
  }

  /** The consortium with its ledger, one round's messages opened. */
  async function consortium(walk: ScreenWalk) {
    await showRoute(page, 'consortium');
    await ready('[data-testid="ledger-round"]');
    await page.locator('[data-testid="ledger-round"] summary').first().click();
    await ready('[data-testid="ledger-round"] details[open] table tbody tr');
    await walk.look('consortium');
  }

  /**
   * Settings, its privacy policy refusing a rule, the weather settings refusing a place, a backup
   * made and the confirmation before restoring it.
   */
  async function settings(walk: ScreenWalk) {
    await showRoute(page, 'settings');
    await ready('main .about');
    await ready('[data-testid="save-policy"]');
    await walk.look('settings');

    await testId('min-shops').fill('1');
    await testId('save-policy').click();
    await ready('[data-testid="min-shops"][aria-invalid="true"]');
    await walk.look('settings-policy-refused');

    const weather = testId('weather-settings');
    if (!(await testId('weather-enabled').isChecked())) await testId('weather-enabled').check();
    await testId('weather-latitude').fill('200');
    await weather.locator('button[type="submit"]').click();
    await ready('[data-testid="weather-settings"] .field-error');
    await walk.look('settings-weather-refused');

    const rows = page.locator('[data-testid="backups"] tbody tr');
    const before = await rows.count();
    await page.locator('.backups button.primary').click();
    await expect.poll(() => rows.count(), { timeout: 20_000 }).toBeGreaterThan(before);
    await rows.first().locator('button').click();
    await ready('dialog[open] footer');
    await walk.look('settings-restore-confirm');
    await page.keyboard.press('Escape');
    await page.locator('dialog[open]').waitFor({ state: 'detached' });
  }

  for (const language of walkLanguages) {
    it(`${language}: every screen and dialog fits 1024 px and speaks to bakers${language === 'en' ? '' : ', with no English'}`, async () => {
      await chooseLanguage(page, language);
      const walk = new ScreenWalk(page, language);
      await today(walk);
      await forecast(walk);
      await history(walk);
      await products(walk);
      await showRoute(page, 'import');
      await ready('[data-testid="import-file"]');
      await walk.look('import');
      await consortium(walk);
      await settings(walk);
      expect(walk.looked.length).toBe(14);
      walk.expectClean();
    });
  }

  it('the English word list the check uses is not empty', () => {
    expect(englishWordCount()).toBeGreaterThan(400);
  });
});
