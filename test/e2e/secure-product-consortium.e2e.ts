import { afterAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { tempDir } from '../integration/coordinator-harness.ts';
import {
  loginOperator,
  seedCoordinatorDb,
  spawnCoordinator,
  type CoordinatorProcess,
} from '../support/coordinator-process.ts';
import { enrolTestShops, phaseDeadlines } from '../support/shops.ts';
import {
  answerLocation,
  buildUi,
  launchChromium,
  screenshot,
  startCli,
  type RunningCli,
} from './harness.ts';
import { join } from 'node:path';

/*
 * What the bakery owner reads after a noised secure round: three shops take part against the
 * shipped coordinator CLI; then the first shop's database is opened by the shipped bakery app
 * (`breadcast shop`) and its consortium screen must show the budget spent and the upload.
 */
describe('consortium screen after a secure round', () => {
  let coordinator: CoordinatorProcess | undefined;
  let shop: RunningCli | undefined;
  let browser: Browser | undefined;
  afterAll(async () => {
    await browser?.close();
    await shop?.stop();
    await coordinator?.kill();
  });

  it('shows the privacy budget this bakery spent, in plain words, and the masked upload in its ledger', async () => {
    await buildUi('renderer');
    const dir = tempDir('breadcast-secure-consortium-');
    const dbPath = join(dir, 'coordinator.db');
    await seedCoordinatorDb(dbPath);
    coordinator = await spawnCoordinator(dbPath);
    const operator = await loginOperator(coordinator.url);
    const shops = await enrolTestShops(coordinator.url, dir, operator, 3, { prefix: 'ui' });
    const put = await operator.call('PUT', '/v1/operator/settings', {
      schedule: null,
      round: {
        mode: 'secure',
        minShops: 3,
        secaggThreshold: 2,
        noiseMultiplier: 1.1,
        clipNorm: 0.5,
        deadlines: phaseDeadlines(3600),
      },
    });
    expect(put.status).toBe(200);
    await operator.call('POST', '/v1/operator/rounds', {});
    await Promise.all(
      shops.map((s) => s.client.runUntilRoundSettles({ pollMs: 30, maxMs: 30_000 })),
    );
    const privacy = shops[0]!.client.status().privacy!;
    expect(privacy.rounds).toBe(1);
    for (const s of shops) s.db.close();

    const started = await startCli(
      ['shop', '--db', shops[0]!.path, '--port', '0'],
      /(http:\/\/127\.0\.0\.1:\d+\/#secret=\S+)/,
    );
    shop = started.cli;
    browser = await launchChromium();
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 }, locale: 'en-GB' });
    await page.goto(started.match[1]!);
    await page.getByTestId('app-info').waitFor();
    await answerLocation(page);
    await page.evaluate(() => (location.hash = '#/consortium'));
    await page.getByTestId('sync-status').waitFor();
    const body = page.locator('main');
    await expect
      .poll(() => body.textContent(), { timeout: 15_000 })
      .toContain(`Privacy budget spent so far: ε = ${privacy.epsilon.toFixed(2)}.`);
    const text = (await body.textContent())!;
    expect(text).toContain('Counted over 1 upload with noise, at δ = 0.00001.');
    expect(text).toContain('Masked model update for round 1');
    expect(text).toContain('Last round: 1 (finished).');
    await screenshot(page, 'bakery-consortium-secure');
  }, 90_000);
});
