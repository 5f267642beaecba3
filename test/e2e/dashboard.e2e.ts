import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOperator } from '../../coordinator/operator/accounts.ts';
import { openCoordinatorStore } from '../../coordinator/store/database.ts';
import { insertModel, setCurrentModelVersion } from '../../coordinator/store/models.ts';
import { insertRound } from '../../coordinator/store/rounds.ts';
import {
  defaultCoordinatorSettings,
  saveCoordinatorSettings,
} from '../../coordinator/store/settings.ts';
import { computeEpsilon } from '../../federated/privacy/accountant.ts';
import type { ModelsView } from '../../federated/protocol/operator-views.ts';
import { roundSettings } from '../../federated/protocol/index.ts';
import {
  OperatorClient,
  runScenario,
  SimShop,
  type Scenario,
} from '../integration/dashboard-shops.ts';
import {
  buildUi,
  freshDir,
  launchChromium,
  screenshot,
  startCli,
  submitOperatorLogin,
  type RunningCli,
} from './harness.ts';

const password = 'correct horse battery staple';

/**
 * The operator dashboard in Chromium against a real `breadcast coordinator` process, with
 * simulated shops that speak the real (signed) shop protocol over HTTP.
 */
describe('operator dashboard', () => {
  let coordinator: RunningCli;
  let browser: Browser;
  let page: Page;
  let base: string;
  let setupLink: string;
  let api: OperatorClient;
  let scenario: Scenario;

  beforeAll(async () => {
    await buildUi('coordinator/dashboard');
    const dir = freshDir('breadcast-dashboard-e2e-');
    const started = await startCli(
      ['coordinator', '--port', '0', '--db', join(dir, 'coordinator.sqlite')],
      /Create one within 24 hours at: (http:\/\/127\.0\.0\.1:\d+)(\S+)/,
      { BREADCAST_COORDINATOR_LOG_LEVEL: 'warn' },
    );
    coordinator = started.cli;
    base = started.match[1]!;
    setupLink = base + started.match[2]!;
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1280, height: 860 } });
  });

  afterAll(async () => {
    await browser?.close();
    await coordinator?.stop();
  });

  it('creates the first operator through the one-time setup link', async () => {
    await page.goto(setupLink);
    await page.getByLabel('Operator name').fill('ops');
    await page.getByLabel('Password', { exact: true }).fill(password);
    await page.getByLabel('Password again').fill(password);
    await screenshot(page, 'dashboard-setup');
    await page.getByRole('button', { name: 'Create account' }).click();
    await page.getByTestId('tonight').waitFor();
    // The link is single-use.
    const again = await fetch(`${base}/v1/operator/setup`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        token: new URL(setupLink).hash.split('token=')[1],
        name: 'intruder',
        password: 'another long password',
      }),
    });
    expect(again.status).toBe(403);
  });

  it('refuses a wrong password, in the page and over the API', async () => {
    await page.getByRole('button', { name: 'Log out' }).click();
    await submitOperatorLogin(page, 'ops', 'not the password');
    await expect
      .poll(() => page.getByRole('alert').textContent())
      .toContain('Wrong name or password');
    await screenshot(page, 'dashboard-login');
    const response = await fetch(`${base}/v1/operator/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'ops', password: 'still wrong' }),
    });
    expect(response.status).toBe(401);
  });

  it('logs in, then shops run three rounds and the rounds page shows their real figures', async () => {
    await page.getByLabel('Password').fill(password);
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.getByTestId('tonight').waitFor();

    api = new OperatorClient(base);
    await api.login('ops', password);
    // The scenario's shops upload in the clear: plain rounds, the operator's explicit choice.
    await api.call('PUT', '/v1/operator/settings', {
      round: { mode: 'plain', noiseMultiplier: 1.1, clipNorm: 1 },
    });
    scenario = await runScenario(base, api);

    await page.goto(`${base}/dashboard/#/rounds`);
    const rows = page.getByTestId('round-row');
    await expect.poll(() => rows.count()).toBe(3);
    const figures = async (id: number) => {
      const row = page.locator(`[data-testid=round-row][data-round="${id}"]`);
      return [
        await row.getByTestId('outcome').textContent(),
        await row.getByTestId('participants').textContent(),
        await row.getByTestId('uploaded').textContent(),
        await row.getByTestId('dropouts').textContent(),
      ].map((text) => text?.trim());
    };
    const [first, second, third] = scenario.rounds as [number, number, number];
    expect(await figures(first)).toEqual(['published', '3', '3', '0']);
    expect(await figures(second)).toEqual(['published', '3', '2', '1']);
    expect(await figures(third)).toEqual(['failed', '1', '1', '0']);
    await screenshot(page, 'dashboard-rounds');

    await page.getByRole('link', { name: `#${second}` }).click();
    await expect.poll(() => page.getByTestId('detail-uploaded').textContent()).toBe('2');
    const shopsInRound = await page.getByTestId('round-shops').textContent();
    expect(shopsInRound).toContain('Panadería Sol');
    expect(shopsInRound).toContain('dropped out');
    await screenshot(page, 'dashboard-round-detail');
  });

  it('lists the shops with their participation', async () => {
    await page.goto(`${base}/dashboard/#/shops`);
    await expect.poll(() => page.getByTestId('shop-row').count()).toBe(3);
    const row = (name: string) => page.locator(`[data-testid=shop-row][data-shop="${name}"]`);
    const counts = async (name: string) => [
      await row(name).getByTestId('joined').textContent(),
      await row(name).getByTestId('missed').textContent(),
    ];
    expect(await counts('Bäckerei Sonne')).toEqual(['3', '0']);
    expect(await counts('Boulangerie Lune')).toEqual(['2', '1']);
    expect(await counts('Panadería Sol')).toEqual(['1', '2']);
    expect(await row('Boulangerie Lune').textContent()).toContain('0.1.1');
  });

  it('invites a shop and shows it once it has enrolled, without reloading', async () => {
    await page.getByLabel('Note (who it is for)').fill('Konditorei Mond');
    await page.getByRole('button', { name: 'Create invite code' }).click();
    const code = (await page.getByTestId('invite-code').textContent())!.trim();
    expect(code).toMatch(/^[A-Z2-9]{5}(-[A-Z2-9]{5}){3}$/);
    await screenshot(page, 'dashboard-shops-invite');

    const newcomer = new SimShop(base, 'Konditorei Mond', '0.2.0');
    await newcomer.enrol(code);
    // The page was not reloaded: the event stream brought the new shop in.
    await expect.poll(() => page.getByTestId('shop-row').count(), { timeout: 60_000 }).toBe(4);
    expect(await page.getByTestId('invite-code').textContent()).toContain(code);
    await screenshot(page, 'dashboard-shops');

    // Revoking asks first, then the shop's own signed requests are refused.
    const row = page.locator('[data-testid=shop-row][data-shop="Konditorei Mond"]');
    await row.getByRole('button', { name: 'Revoke' }).click();
    await page.getByTestId('confirm-yes').click();
    await expect.poll(() => row.getByTestId('status').textContent()).toBe('revoked');
    await expect(newcomer.currentRound()).rejects.toThrow(/403/);
  });

  it('refuses a change without the CSRF token, even with the session cookie', async () => {
    const cookies = await page.context().cookies(base);
    const session = cookies.map((c) => `${c.name}=${c.value}`).join('; ');
    const response = await fetch(`${base}/v1/operator/invites`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', cookie: session },
      body: JSON.stringify({ expiresInHours: 1 }),
    });
    expect(response.status).toBe(403);
    const read = await fetch(`${base}/v1/operator/views/overview`, {
      headers: { cookie: session },
    });
    expect(read.status).toBe(200);
  });

  it('rolls back a model after confirmation', async () => {
    await page.goto(`${base}/dashboard/#/models`);
    const v2 = page.locator('[data-testid=model-row][data-version="2"]');
    await v2.waitFor();
    // Shops' accuracy figures in the clear were refused, so there is no chart, and the page says why.
    expect(await page.getByTestId('no-figures').textContent()).toMatch(/send no accuracy figures/);
    await v2.getByRole('button', { name: 'Roll back to this' }).click();
    await page.getByTestId('confirm-yes').click();
    await expect.poll(() => v2.getByTestId('current').count()).toBe(1);
    await screenshot(page, 'dashboard-models');
    const models = await api.call<ModelsView>('GET', '/v1/operator/views/models');
    expect(models.current).toBe(2);
  });

  it('shows tonight, the model and the privacy budget on the overview, live', async () => {
    await page.goto(`${base}/dashboard/#/overview`);
    // Four shops enrolled, one of them revoked.
    await expect.poll(() => page.getByTestId('enrolled').textContent()).toBe('3');
    // Plain rounds add no noise, and the page says so instead of showing a comforting ε.
    expect(await page.getByTestId('privacy-words').textContent()).toContain('No formal guarantee');
    expect(await page.getByTestId('no-figures').textContent()).toMatch(/send no accuracy figures/);
    await page.getByRole('button', { name: 'Start a round now' }).click();
    await page.getByTestId('confirm-yes').click();
    await expect
      .poll(() => page.getByTestId('phase').textContent(), { timeout: 60_000 })
      .toContain('Collecting');
    expect((await scenario.shops.a.currentRound())!.id).toBe(scenario.rounds[2]! + 1);
    // A shop joining elsewhere shows up on the open page without a reload.
    await scenario.shops.a.takePart();
    await expect
      .poll(() => page.getByTestId('uploaded').textContent(), { timeout: 60_000 })
      .toBe('1');
    await screenshot(page, 'dashboard-overview');
  });

  it('ends a running phase from the round page, after confirmation', async () => {
    await page.getByRole('link', { name: /^Round \d+$/ }).click();
    await page.getByRole('button', { name: 'End this phase now' }).click();
    await page.getByTestId('confirm-yes').click();
    // One upload is below the minimum of two shops, so the round fails, and the page says so.
    await expect
      .poll(() => page.getByTestId('round-outcome').textContent(), { timeout: 60_000 })
      .toBe('failed');
    // A plain round is never called masked: the coordinator read the one update it received.
    const privacy = (await page.getByTestId('round-privacy').textContent())!;
    expect(privacy).toMatch(
      /^\s*Plain round: the coordinator read each of 1 bakery’s clipped updates itself, unmasked and without noise\./,
    );
    expect(privacy).not.toMatch(/only the sum|with noise/);
  });

  it('edits the round settings', async () => {
    await page.goto(`${base}/dashboard/#/settings`);
    await page.getByLabel('Local epochs').fill('3');
    await page.getByLabel('Adaptive clipping (secure rounds)').check();
    await page.getByLabel('Share of shops that should not be clipped').fill('0.7');
    await page.getByRole('button', { name: 'Save settings' }).click();
    await page.getByTestId('settings-saved').waitFor();
    const settings = await api.call<{
      round: { localEpochs: number; noiseMultiplier: number; adaptiveClip: unknown };
    }>('GET', '/v1/operator/settings');
    expect(settings.round).toMatchObject({
      localEpochs: 3,
      mode: 'plain',
      noiseMultiplier: 1.1,
      adaptiveClip: { targetQuantile: 0.7, learningRate: 0.2 },
    });
    await screenshot(page, 'dashboard-settings');
  });
});

/**
 * The privacy budget as the operator sees it once secure, noisy rounds have been published.
 * Running noisy secure rounds end to end takes shops and minutes, so the published rounds are
 * written through the coordinator's own store before the real process starts; the figures on
 * the page come from the real accountant over those rows.
 */
describe('operator dashboard privacy budget', () => {
  let coordinator: RunningCli;
  let browser: Browser;

  afterAll(async () => {
    await browser?.close();
    await coordinator?.stop();
  });

  it('shows epsilon in plain words and the budget chart over rounds', async () => {
    const dir = freshDir('breadcast-dashboard-privacy-');
    const file = join(dir, 'coordinator.sqlite');
    const db = await openCoordinatorStore(file);
    const at = Date.parse('2026-11-01T01:00:00Z');
    const model = await db.transaction((tx) =>
      insertModel(
        tx,
        { weights: new Float32Array(8), roundId: null, parentVersion: null, settings: null },
        new Date(at),
      ),
    );
    await setCurrentModelVersion(db, model.version);
    await saveCoordinatorSettings(db, {
      ...defaultCoordinatorSettings,
      privacy: { delta: 1e-5, budget: 12 },
    });
    for (let night = 0; night < 6; night++) {
      const round = await insertRound(
        db,
        {
          modelVersion: model.version,
          settings: roundSettings.parse({ mode: 'secure', noiseMultiplier: 1.5 }),
          trigger: 'schedule',
        },
        new Date(at + night * 86_400_000),
      );
      await db.run("UPDATE rounds SET phase = 'published', closed_at = opened_at WHERE id = ?", [
        round.id,
      ]);
    }
    await createOperator(db, 'ops', password);
    await db.close();

    const started = await startCli(
      ['coordinator', '--port', '0', '--db', file],
      /listening on (http:\/\/127\.0\.0\.1:\d+)/,
      { BREADCAST_COORDINATOR_LOG_LEVEL: 'warn' },
    );
    coordinator = started.cli;
    const base = started.match[1]!;
    browser = await launchChromium();
    const page = await browser.newPage({ viewport: { width: 1280, height: 860 } });
    await page.goto(`${base}/dashboard/`);
    await submitOperatorLogin(page, 'ops', password);
    await expect.poll(() => page.getByTestId('budget-chart').getAttribute('data-points')).toBe('6');
    const expected = computeEpsilon({ noiseMultiplier: 1.5, rounds: 6, delta: 1e-5 }).epsilon;
    const words = (await page.getByTestId('privacy-words').textContent())!;
    expect(words).toContain(`ε = ${expected.toFixed(1)} after 6 rounds`);
    expect(words).toContain(`${Math.round((expected / 12) * 100)} % of the total budget of ε = 12`);
    await screenshot(page, 'dashboard-privacy');

    // A noised secure round's page says the coordinator saw only a sum, with noise.
    await page.goto(`${base}/dashboard/#/rounds/6`);
    await expect
      .poll(() => page.getByTestId('round-privacy').textContent())
      .toMatch(/saw only the sum of .* with noise \(noise multiplier 1\.5\); no single bakery/);
    expect(await page.getByTestId('round-epsilon').textContent()).toContain(
      `ε = ${Number(computeEpsilon({ noiseMultiplier: 1.5, rounds: 1, delta: 1e-5 }).epsilon.toFixed(2))}`,
    );
  });
});
