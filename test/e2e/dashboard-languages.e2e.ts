import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOperator } from '../../coordinator/operator/accounts.ts';
import { openCoordinatorStore, type CoordinatorStore } from '../../coordinator/store/database.ts';
import { insertModel, setCurrentModelVersion } from '../../coordinator/store/models.ts';
import { insertRound } from '../../coordinator/store/rounds.ts';
import {
  defaultCoordinatorSettings,
  saveCoordinatorSettings,
} from '../../coordinator/store/settings.ts';
import { computeEpsilon } from '../../federated/privacy/accountant.ts';
import { roundSettings, type RoundSettings } from '../../federated/protocol/index.ts';
import { freshDir, launchChromium, screenshot, startCli, type RunningCli } from './harness.ts';

const password = 'correct horse battery staple';

/**
 * The round page in the operator's language, in Chromium against a real `breadcast coordinator`
 * process. A plain round and a secure noised round are written through the coordinator's own
 * store first (the modes' own tests drive rounds over HTTP); the current settings are then set
 * to the opposite of each, so a page that described a round from the current settings instead of
 * the ones it recorded would be caught.
 */
describe('operator dashboard round page in English and German', () => {
  let coordinator: RunningCli;
  let browser: Browser;
  let base: string;
  const rounds = { plain: 0, secure: 0 };

  beforeAll(async () => {
    const file = join(freshDir('breadcast-dashboard-languages-'), 'coordinator.sqlite');
    const db = await openCoordinatorStore(file);
    const at = Date.parse('2026-11-20T01:00:00Z');
    const model = await db.transaction((tx) =>
      insertModel(
        tx,
        { weights: new Float32Array(8), roundId: null, parentVersion: null, settings: null },
        new Date(at),
      ),
    );
    await setCurrentModelVersion(db, model.version);
    for (const id of ['a', 'b', 'c', 'd', 'e'])
      await db.run('INSERT INTO shops (id, name, app_version, enrolled_at) VALUES (?, ?, ?, ?)', [
        id,
        `Bäckerei ${id}`,
        '0.3.0',
        new Date(at - 86_400_000).toISOString(),
      ]);
    rounds.plain = await writeRound(db, model.version, at, { mode: 'plain' }, null);
    // Three of the plain round's bakeries uploaded in the clear.
    for (const shop of ['a', 'b', 'c'])
      await db.run(
        `INSERT INTO updates (round_id, shop_id, payload_sha256, sample_count, weight, norm, bytes, delta, received_at)
         VALUES (?, ?, 'x', 1, 1, 0.1, 4, NULL, ?)`,
        [rounds.plain, shop, new Date(at).toISOString()],
      );
    // The secure round's own header: its SecAgg parameters, the configuration of its signed
    // roster of five, four survivors whose masked sum was recovered.
    rounds.secure = await writeRound(
      db,
      model.version,
      at + 86_400_000,
      { mode: 'secure', noiseMultiplier: 1.5 },
      {
        version: 2,
        params: {
          roundId: 'r2',
          vectorLength: 12, // 8 parameters, the weight and three figures
          modulusBits: 32,
          maxShops: 5,
          colluders: null,
          graph: 'auto',
        },
        config: {
          rosterSize: 5,
          colluders: 1,
          minSurvivors: 4,
          graph: 'complete',
          neighbours: 4,
          threshold: 4,
        },
        roster: ['a', 'b', 'c', 'd', 'e'],
        survivors: ['a', 'b', 'c', 'd'],
        sum: 'AAAA',
      },
    );
    // Today's settings say the opposite of both rounds.
    await saveCoordinatorSettings(db, {
      ...defaultCoordinatorSettings,
      round: roundSettings.parse({ mode: 'plain', noiseMultiplier: 0 }),
    });
    await createOperator(db, 'ops', password);
    await db.close();

    const started = await startCli(
      ['coordinator', '--port', '0', '--db', file],
      /listening on (http:\/\/127\.0\.0\.1:\d+)/,
      { BREADCAST_COORDINATOR_LOG_LEVEL: 'warn' },
    );
    coordinator = started.cli;
    base = started.match[1]!;
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
    await coordinator?.stop();
  });

  async function loggedIn(
    locale: string,
    labels: { name: string; password: string; button: string },
  ) {
    const context = await browser.newContext({ locale, viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    await page.goto(`${base}/dashboard/`);
    await page.getByLabel(labels.name).fill('ops');
    await page.getByLabel(labels.password).fill(password);
    await page.getByRole('button', { name: labels.button }).click();
    await page.getByTestId('tonight').waitFor();
    return page;
  }

  /** Opens a round's page and waits until its sentence is the one expected, or times out. */
  async function roundPage(page: Page, id: number, expected: string): Promise<string> {
    await page.goto(`${base}/dashboard/#/rounds/${id}`);
    const sentence = page.getByTestId('round-privacy');
    await expect.poll(async () => (await sentence.textContent())?.trim()).toBe(expected);
    return (await sentence.textContent())!.trim();
  }

  const epsilonOneRound = computeEpsilon({ noiseMultiplier: 1.5, rounds: 1, delta: 1e-5 }).epsilon;

  it('describes a plain and a secure noised round in English, from what each round recorded', async () => {
    const page = await loggedIn('en-GB', {
      name: 'Operator name',
      password: 'Password',
      button: 'Log in',
    });
    const plain = await roundPage(
      page,
      rounds.plain,
      'Plain round: the coordinator read each of 3 bakeries’ clipped updates itself, unmasked and without noise.',
    );
    expect(plain).not.toMatch(/only the sum|no single bakery|\bmasked|with noise/);
    expect(await page.getByTestId('term-noise').textContent()).toMatch(/^\s*0\s/);
    expect(await page.getByTestId('round-epsilon').textContent()).toBe(
      'no noise added: no ε bound',
    );
    expect(await page.getByTestId('term-threshold').count()).toBe(0);
    await screenshot(page, 'dashboard-round-plain-en');

    await roundPage(
      page,
      rounds.secure,
      "The coordinator saw only the sum of 4 bakeries’ updates (at least 4 needed to unmask it), with noise (noise multiplier 1.5); no single bakery's update could be read.",
    );
    // Each figure of the round with its one-line explanation.
    expect(await page.getByTestId('term-noise').textContent()).toMatch(
      /1\.5\s+Noise multiplier z: random noise of z × C is added/,
    );
    expect(await page.getByTestId('term-clip').textContent()).toMatch(/0\.125\s+Clip norm C:/);
    expect(await page.getByTestId('term-threshold').textContent()).toMatch(/4\s+Threshold t:/);
    expect(await page.getByTestId('term-colluders').textContent()).toMatch(/1\s+Colluders c:/);
    expect(await page.getByTestId('round-epsilon').textContent()).toBe(
      `ε = ${Number(epsilonOneRound.toFixed(2))}`,
    );
    await screenshot(page, 'dashboard-round-secure-en');
    await page.context().close();
  });

  it('describes the same rounds in German, for a German browser and after the operator picks it', async () => {
    const page = await loggedIn('de-DE', {
      name: 'Betreibername',
      password: 'Passwort',
      button: 'Anmelden',
    });
    const plain = await roundPage(
      page,
      rounds.plain,
      'Einfache Runde: Der Koordinator hat jedes der begrenzten Updates von 3 Bäckereien selbst gelesen, unmaskiert und ohne Rauschen.',
    );
    expect(plain).not.toMatch(/nur die Summe|kein einzelnes Update|\bmaskiert|mit Rauschen/);
    expect(await page.getByTestId('round-epsilon').textContent()).toBe(
      'kein Rauschen: keine ε-Schranke',
    );
    await screenshot(page, 'dashboard-round-plain-de');

    await roundPage(
      page,
      rounds.secure,
      'Der Koordinator sah nur die Summe der Updates von 4 Bäckereien (mindestens 4 zum Entschlüsseln nötig), mit Rauschen (Rauschfaktor 1,5); kein einzelnes Update einer Bäckerei war lesbar.',
    );
    expect(await page.getByTestId('term-noise').textContent()).toMatch(
      /1,5\s+Rauschfaktor z: Zufallsrauschen von z × C/,
    );
    expect(await page.getByTestId('term-threshold').textContent()).toMatch(/4\s+Schwelle t:/);
    expect(await page.getByTestId('round-epsilon').textContent()).toBe(
      `ε = ${String(Number(epsilonOneRound.toFixed(2))).replace('.', ',')}`,
    );
    expect(await page.getByRole('link', { name: 'Runden', exact: true }).count()).toBe(1);
    await screenshot(page, 'dashboard-round-secure-de');

    // The operator's own choice wins over the browser's language and stays after a reload.
    await page.getByTestId('language').selectOption('en');
    await expect
      .poll(async () => (await page.getByTestId('round-privacy').textContent())?.trim())
      .toMatch(/^The coordinator saw only the sum of 4 bakeries’ updates/);
    await page.reload();
    await expect
      .poll(async () => (await page.getByTestId('round-privacy').textContent())?.trim())
      .toMatch(/^The coordinator saw only the sum of 4 bakeries’ updates/);
    await page.context().close();
  });
});

async function writeRound(
  db: CoordinatorStore,
  modelVersion: number,
  at: number,
  settings: Partial<RoundSettings>,
  phaseState: unknown,
): Promise<number> {
  const round = await insertRound(
    db,
    { modelVersion, settings: roundSettings.parse(settings), trigger: 'operator' },
    new Date(at),
  );
  await db.run(
    "UPDATE rounds SET phase = 'published', closed_at = opened_at, phase_state = ? WHERE id = ?",
    [phaseState === null ? null : JSON.stringify(phaseState), round.id],
  );
  return round.id;
}
