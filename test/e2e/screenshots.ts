/**
 * `npm run screenshots`: refreshes the README's pictures (docs/screenshots/) from a fresh
 * `breadcast demo` in Chromium. Run it by hand when the screens change; tests never write there.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import {
  buildUi,
  launchChromium,
  projectRoot,
  showScreen,
  startDemoCli,
  submitOperatorLogin,
} from './harness.ts';

const target = join(projectRoot, 'docs/screenshots');

async function main(): Promise<void> {
  await buildUi('renderer');
  await buildUi('coordinator/dashboard');
  const demo = await startDemoCli();
  const browser = await launchChromium();
  try {
    mkdirSync(target, { recursive: true });
    const page = await browser.newPage({ viewport: { width: 1280, height: 860 } });
    const save = async (name: string, fullPage: boolean) => {
      await page.waitForTimeout(500); // charts finish their entry animation
      const path = join(target, `${name}.png`);
      await page.screenshot({ path, fullPage });
      console.log(`wrote ${path}`);
    };

    await page.goto(demo.dashboard);
    await submitOperatorLogin(page, demo.operator, demo.password);
    await page.getByTestId('model-error').waitFor();
    await save('demo-dashboard-overview', true);

    await page.goto(demo.app);
    await page.locator('nav').first().waitFor();
    await showScreen(page, 'forecast');
    await page.getByTestId('forecast-table').waitFor();
    await save('demo-bakery-forecast', true);
    await showScreen(page, 'history');
    await page.getByTestId('chart-sold').locator('canvas').waitFor();
    // The README shows the top of the page (the full page lists every day).
    await save('demo-bakery-history', false);
  } finally {
    await browser.close();
    await demo.cli.stop();
  }
}

await main();
