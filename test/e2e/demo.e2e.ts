import { copyFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  artifactsDir,
  buildUi,
  freshDir,
  launchChromium,
  projectRoot,
  screenshot,
  startCli,
  submitOperatorLogin,
  type RunningCli,
} from './harness.ts';

/**
 * `breadcast demo` as a user runs it (the README's main command): a real child process that
 * starts a coordinator, five bakeries from the shipped chain data and three rounds, then the
 * dashboard and one bakery app in browser mode, which Chromium opens.
 */
describe('breadcast demo', () => {
  let demo: RunningCli;
  let browser: Browser;
  let page: Page;
  let dashboard: string;
  let operator: string;
  let password: string;
  let app: string;

  beforeAll(async () => {
    // Build the bakery app as it is in the tree now, so the screenshots show the current UI.
    await buildUi('renderer');
    const dir = freshDir('breadcast-demo-e2e-');
    const started = await startCli(
      ['demo', '--dir', join(dir, 'demo')],
      /Dashboard:\s+(\S+)\s+Operator:\s+(\S+) \/ (\S+)\s+Bakery app:\s+(\S+)/,
      {},
      120_000,
    );
    demo = started.cli;
    const [, d = '', o = '', p = '', a = ''] = started.match;
    [dashboard, operator, password, app] = [d, o, p, a];
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1280, height: 860 } });
  });

  afterAll(async () => {
    await browser?.close();
    await demo?.stop();
  });

  it('leaves the dashboard open with the demo rounds completed', async () => {
    expect(demo.output()).toMatch(/3 of 3 rounds published/);
    await page.goto(dashboard!);
    await submitOperatorLogin(page, operator, password);
    await page.getByTestId('tonight').waitFor();
    await expect.poll(() => page.getByTestId('enrolled').textContent()).toBe('5');
    await screenshot(page, 'demo-dashboard-overview');
    await page.goto(dashboard!.replace(/\/$/, '/#/rounds'));
    const rows = page.getByTestId('round-row');
    await expect.poll(() => rows.count()).toBe(3);
    for (let i = 0; i < 3; i++) {
      expect(await rows.nth(i).getByTestId('outcome').textContent()).toMatch(/published/i);
      expect((await rows.nth(i).getByTestId('uploaded').textContent())?.trim()).toBe('5');
    }
    await screenshot(page, 'demo-dashboard-rounds');
  });

  it('leaves one bakery app open in browser mode, holding the merged model', async () => {
    await page.goto(app!);
    await page.locator('nav').first().waitFor();
    await screenshot(page, 'demo-bakery-today');
    await page.evaluate(() => (location.hash = '#/history'));
    await page.locator('canvas').first().waitFor({ timeout: 15_000 });
    await page.waitForTimeout(500);
    // The README shows the top of the page (the full page lists every day).
    mkdirSync(artifactsDir, { recursive: true });
    await page.screenshot({ path: join(artifactsDir, 'demo-bakery-history.png') });
    await page.evaluate(() => (location.hash = '#/consortium'));
    const panel = page.getByTestId('value-of-joining');
    await panel.waitFor();
    await screenshot(page, 'demo-bakery-consortium');
    await panel.scrollIntoViewIfNeeded();
    expect(await panel.getByTestId('value-run').isEnabled()).toBe(true);
    await page.screenshot({ path: join(artifactsDir, 'demo-bakery-value-of-joining.png') });
  });

  it('copies the screenshots the README shows', () => {
    const target = join(projectRoot, 'docs/screenshots');
    mkdirSync(target, { recursive: true });
    for (const name of ['demo-dashboard-overview', 'demo-bakery-history'])
      copyFileSync(join(projectRoot, 'test-results', `${name}.png`), join(target, `${name}.png`));
  });
});
