import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, describe, expect, it } from 'vitest';
import { defaultPrivacyPolicy, savePrivacyPolicy } from '../../electron/privacy/policy.ts';
import { tempDir } from '../integration/coordinator-harness.ts';
import {
  loginOperator,
  operatorName,
  operatorPassword,
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
  submitOperatorLogin,
  type RunningCli,
} from './harness.ts';

/*
 * What the bakery owner reads about privacy after a plain round and a secure noised one: four
 * shops take part against the shipped coordinator CLI (three allow plain rounds, the fourth
 * keeps the masked-only rule and skips the plain one); the shipped bakery app (`breadcast
 * shop`) then opens two of their databases, and the Consortium screen must say, in English and
 * German, which round the coordinator could read and which it saw only as a noised sum.
 */
describe('the Consortium screen after a plain round and a secure noised round', () => {
  let coordinator: CoordinatorProcess | undefined;
  const apps: RunningCli[] = [];
  let browser: Browser | undefined;
  afterAll(async () => {
    await browser?.close();
    for (const app of apps) await app.stop();
    await coordinator?.kill();
  });

  async function consortiumText(
    dbPath: string,
    locale: string,
  ): Promise<{ page: Page; text: string }> {
    const started = await startCli(
      ['shop', '--db', dbPath, '--port', '0'],
      /(http:\/\/127\.0\.0\.1:\d+\/#secret=\S+)/,
    );
    apps.push(started.cli);
    browser ??= await launchChromium();
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 }, locale });
    await page.goto(started.match[1]!);
    await page.getByTestId('app-info').waitFor();
    await answerLocation(page);
    await page.evaluate(() => (location.hash = '#/consortium'));
    await page.getByTestId('ledger-round').first().waitFor();
    await page.getByTestId('privacy-history').waitFor();
    // The policy comes by its own request, which can answer after the ledger's.
    await page.getByTestId('privacy-policy-words').waitFor();
    return { page, text: (await page.locator('main').textContent())! };
  }

  it('says the coordinator could read the plain update and saw only a noised sum in the secure round, in en and de', async () => {
    await buildUi('renderer');
    const dir = tempDir('breadcast-privacy-consortium-');
    const dbPath = join(dir, 'coordinator.db');
    await seedCoordinatorDb(dbPath);
    coordinator = await spawnCoordinator(dbPath);
    const operator = await loginOperator(coordinator.url);
    const shops = await enrolTestShops(coordinator.url, dir, operator, 4, { prefix: 'ui' });
    const plainAllowed = {
      ...defaultPrivacyPolicy,
      allowPlainRounds: true,
      minShops: 3,
      epsilonLimit: null,
    };
    for (const shop of shops.slice(0, 3)) savePrivacyPolicy(shop.db, plainAllowed, new Date());
    savePrivacyPolicy(shops[3]!.db, { ...defaultPrivacyPolicy, minShops: 3 }, new Date());

    const round = (settings: Record<string, unknown>) =>
      operator.call('PUT', '/v1/operator/settings', {
        schedule: null,
        round: { clipNorm: 0.5, deadlines: phaseDeadlines(3600), ...settings },
      });
    expect((await round({ mode: 'plain', minShops: 3 })).status).toBe(200);
    await operator.call('POST', '/v1/operator/rounds', {});
    for (const shop of shops) await shop.client.runOnce();
    // The fourth bakery skipped it; the collect phase would wait for it until its deadline.
    await operator.call('POST', '/v1/operator/rounds/1/close-phase');
    expect((await operator.call('GET', '/v1/operator/rounds/1')).body.phase).toBe('published');

    const z = 1.1;
    expect(
      (await round({ mode: 'secure', minShops: 3, secaggThreshold: 3, noiseMultiplier: z })).status,
    ).toBe(200);
    await operator.call('POST', '/v1/operator/rounds', {});
    await Promise.all(
      shops.map((s) => s.client.runUntilRoundSettles({ pollMs: 30, maxMs: 60_000 })),
    );
    expect((await operator.call('GET', '/v1/operator/rounds/2')).body.phase).toBe('published');
    for (const s of shops) s.db.close();

    // The bakery that sent a plain update: English.
    const en = await consortiumText(shops[0]!.path, 'en-GB');
    expect(en.text).toContain(
      'The coordinator saw only the sum of 4 bakeries’ updates, with noise; no single bakery’s update could be read.',
    );
    // n, T and c as this bakery verified them from the signed roster: 4 bakeries, T = 3, c = ⌊4/3⌋.
    expect(en.text).toContain(
      'This bakery checked the round: it stays safe even if up to 1 of the 4 bakeries work with the coordinator, and the sum is opened only when at least 3 of them take part.',
    );
    expect(en.text).toContain(
      'The coordinator received this bakery’s update itself (clipped, in the clear, no noise added): it could read it.',
    );
    expect(en.text).toMatch(
      /2 model updates sent, of which 1 plain \(readable by the coordinator\)\. No formal guarantee since/,
    );
    expect(en.text).toContain('This app also takes part in plain rounds');
    // The words each term needs, where the terms appear.
    for (const term of [
      'ε (epsilon) measures',
      'Clip: the largest change',
      'Noise: random numbers',
      'Threshold: how many bakeries',
    ])
      expect(en.text).toContain(term);
    // Round 1's story claims neither masking nor noise.
    const round1 = en.page.locator('[data-testid="ledger-round"][data-round="1"]');
    expect(await round1.textContent()).not.toMatch(/only the sum|with noise|masked/);
    await round1.locator('summary').click();
    await round1.locator('tr[data-kind="update"]').first().waitFor();
    expect(await round1.textContent()).toContain('not masked, no noise');
    await screenshot(en.page, 'bakery-consortium-plain-and-secure-en');

    // The same bakery in German.
    await en.page.evaluate(() => localStorage.setItem('breadcast.language', 'de'));
    await en.page.reload();
    await en.page.getByTestId('ledger-round').first().waitFor();
    const de = (await en.page.locator('main').textContent())!;
    expect(de).toContain(
      'Der Koordinator sah nur die Summe der Updates von 4 Bäckereien, mit Rauschen; kein einzelnes Update einer Bäckerei war lesbar.',
    );
    expect(de).toContain(
      'Der Koordinator erhielt das Update dieser Bäckerei selbst (begrenzt, im Klartext, ohne Rauschen): Er konnte es lesen.',
    );
    expect(de).toContain(
      'Sie bleibt sicher, selbst wenn bis zu 1 der 4 Bäckereien mit dem Koordinator zusammenarbeiten',
    );
    expect(de).toContain('Keine formale Garantie seit');
    await screenshot(en.page, 'bakery-consortium-plain-and-secure-de');

    // The masked-only bakery skipped the plain round and says why; its budget is a figure.
    const strict = await consortiumText(shops[3]!.path, 'de-DE');
    expect(strict.text).toContain('Runde 1 wurde ausgelassen: sie war nicht maskiert.');
    expect(strict.text).toContain(
      'Der Koordinator sah nur die Summe der Updates von 4 Bäckereien, mit Rauschen',
    );
    expect(strict.text).toMatch(
      /1 Modell-Update gesendet, alle maskiert und mit Rauschen\. Verbrauchtes Datenschutzbudget: ε = \d+,\d\d/,
    );
    expect(strict.text).toContain(
      'Diese App nimmt nur an maskierten Runden (sichere Aggregation) teil',
    );
    await screenshot(strict.page, 'bakery-consortium-skipped-de');

    // The policy is the bakery's own, edited on its Settings screen and kept in its database.
    const page = strict.page;
    await page.evaluate(() => (location.hash = '#/settings'));
    const card = page.getByTestId('privacy-policy');
    await card.waitFor();
    expect(await page.getByTestId('allow-plain').isChecked()).toBe(false);
    expect(await page.getByTestId('min-shops').inputValue()).toBe('3');
    expect(await card.textContent()).toContain('Verbraucht in den letzten 12 Monaten: ε = ');
    await page.getByTestId('min-noise').fill('1.5');
    await page.getByTestId('save-policy').click();
    await page.getByText('Datenschutzregeln gespeichert').waitFor();
    await page.reload();
    await page.getByTestId('privacy-policy').waitFor();
    expect(await page.getByTestId('min-noise').inputValue()).toBe('1.5');
    await screenshot(page, 'bakery-settings-privacy-policy-de');

    // The operator's dashboard says the same of both rounds, and why the fourth bakery skipped one.
    await buildUi('coordinator/dashboard');
    const dashboard = await browser!.newPage({ viewport: { width: 1280, height: 900 } });
    await dashboard.goto(`${coordinator!.url}/dashboard/`);
    await submitOperatorLogin(dashboard, operatorName, operatorPassword);
    const roundPage = async (id: number) => {
      await dashboard.goto(`${coordinator!.url}/dashboard/#/rounds/${id}`);
      await expect
        .poll(() => dashboard.getByTestId('round-outcome').textContent())
        .toBe('published');
      return (await dashboard.getByTestId('round-privacy').textContent())!.trim();
    };
    const plainRound = await roundPage(1);
    expect(plainRound).toBe(
      'Plain round: the coordinator read each of 3 bakeries’ clipped updates itself, unmasked and without noise.',
    );
    expect(await dashboard.getByTestId('round-epsilon').textContent()).toContain('no ε bound');
    expect(await dashboard.getByTestId('round-shops').textContent()).toMatch(
      /skipped \(its policy\).*it was not masked \(plain round\)/,
    );
    await screenshot(dashboard, 'dashboard-round-plain');
    expect(await roundPage(2)).toBe(
      `The coordinator saw only the sum of 4 bakeries’ updates (at least 3 needed to unmask it), with noise (noise multiplier ${z}); no single bakery's update could be read.`,
    );
    expect(await dashboard.getByTestId('round-epsilon').textContent()).toMatch(/ε = 4\.24/);
    await screenshot(dashboard, 'dashboard-round-secure-noised');
  }, 360_000);
});
