import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  buildUi,
  launchChromium,
  screenshot,
  showScreen,
  startDemoCli,
  submitOperatorLogin,
  type RunningDemo,
} from './harness.ts';

const rounds = 3;
const bakeries = 5;
/** Version 1 is the initial model; each published round adds one. */
const mergedVersion = 1 + rounds;

/**
 * `breadcast demo` as a user runs it (the README's main command): a real child process that
 * starts a coordinator, five bakeries from the shipped chain data and three rounds, then the
 * dashboard and one bakery app in browser mode, which Chromium opens. Screenshots go to
 * test-results/ only; `npm run screenshots` refreshes the README's.
 */
describe('breadcast demo', () => {
  let demo: RunningDemo;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    await buildUi('renderer');
    demo = await startDemoCli();
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1280, height: 860 } });
  });

  afterAll(async () => {
    await browser?.close();
    await demo?.cli.stop();
  });

  it('leaves the dashboard open with the demo rounds completed and the merged model current', async () => {
    expect(demo.cli.output()).toMatch(
      new RegExp(`Demo ready in \\d+ s: ${rounds} of ${rounds} rounds published`),
    );
    await page.goto(demo.dashboard);
    await submitOperatorLogin(page, demo.operator, demo.password);
    await page.getByTestId('tonight').waitFor();
    await expect.poll(() => page.getByTestId('enrolled').textContent()).toBe(String(bakeries));
    const model = page.getByTestId('model');
    expect(await model.textContent()).toMatch(
      new RegExp(`v${mergedVersion}\\b.*by round ${rounds}`),
    );
    // No bakery's accuracy figures reached the coordinator, and the dashboard says why.
    expect(await page.getByTestId('model-error').count()).toBe(0);
    expect(await page.getByTestId('no-figures').textContent()).toMatch(/send no accuracy figures/);
    await screenshot(page, 'demo-dashboard-overview');

    await page.goto(demo.dashboard.replace(/\/$/, '/#/rounds'));
    const rows = page.getByTestId('round-row');
    await expect.poll(() => rows.count()).toBe(rounds);
    for (let i = 0; i < rounds; i++) {
      expect(await rows.nth(i).getByTestId('outcome').textContent()).toMatch(/published/i);
      expect((await rows.nth(i).getByTestId('uploaded').textContent())?.trim()).toBe(
        String(bakeries),
      );
    }
    await screenshot(page, 'demo-dashboard-rounds');

    // The demo runs the product's default rounds: masked, with noise, and the round page says so.
    await page.goto(demo.dashboard.replace(/\/$/, `/#/rounds/${rounds}`));
    const privacy = page.getByTestId('round-privacy');
    await expect
      .poll(() => privacy.textContent())
      .toMatch(
        new RegExp(
          `The coordinator saw only the sum of ${bakeries} bakeries’ updates .*with noise \\(noise multiplier 1\\.1\\)`,
        ),
      );
  });

  it('leaves one bakery app open holding the merged model, with its updates in the ledger', async () => {
    await page.goto(demo.app);
    await page.locator('nav').first().waitFor();
    await showScreen(page, 'consortium');
    const status = page.getByTestId('sync-status');
    await status.waitFor();
    expect(await status.textContent()).toContain(`v${mergedVersion}`);
    // What left this bakery: one model update per round, nothing else of its books.
    const maskedUpdates = async () =>
      ((await page.getByTestId('ledger').textContent()) ?? '').match(/1 × Masked model update/g)
        ?.length ?? 0;
    await expect.poll(maskedUpdates).toBe(rounds);
    const panel = page.getByTestId('value-of-joining');
    await panel.waitFor();
    expect(await panel.getByTestId('value-run').isEnabled()).toBe(true);
    await screenshot(page, 'demo-bakery-consortium');
  });

  it("shows tomorrow's forecast and bake sheet from the consortium model, adapted locally", async () => {
    await showScreen(page, 'forecast');
    const table = page.getByTestId('forecast-table');
    await table.waitFor();
    const products = await table.locator('tbody tr .product-cell button').allTextContents();
    expect(products.map((name) => name.trim())).toEqual(['Pretzel', 'Roll', 'Seeded roll']);
    // A bake a chain store could sell: the demo bakery sells tens to about a hundred a day, so a
    // merged model thrown off by its noise (thousands or billions, or nothing) fails here.
    for (const cell of await table.getByTestId('recommended').allTextContents()) {
      const bake = Number(cell.trim().replace(/,/g, ''));
      expect(bake).toBeGreaterThan(0);
      expect(bake).toBeLessThan(1000);
    }
    expect(await page.getByTestId('model-version').textContent()).toContain('consortium + local');
    await screenshot(page, 'demo-bakery-forecast');
  });

  it('shows the sales history the demo bakery was built from', async () => {
    await showScreen(page, 'history');
    await page.getByTestId('chart-sold').locator('canvas').waitFor();
    const table = page.getByTestId('history-table');
    await expect.poll(() => table.locator('tbody tr').count()).toBeGreaterThan(20);
    await screenshot(page, 'demo-bakery-history');
  });
});
