import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  buildUi,
  freshDir,
  launchChromium,
  screenshot,
  startCli,
  type RunningCli,
} from './harness.ts';
import { englishWords, leftoverEnglish } from './english-leftovers.ts';

/**
 * Every screen of a bakery that has history, a model and a consortium (the demo bakery), at
 * 1024×768: no screen may scroll sideways, and in German and French no English may show —
 * neither the dictionaries' own words left untranslated nor sentences from the backend.
 */
describe('every screen at 1024×768, in en, de and fr', () => {
  let demo: RunningCli;
  let browser: Browser;
  let page: Page;
  let app: string;

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
    app = started.match[1]!;
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1024, height: 768 }, locale: 'en-US' });
    await page.goto(app);
    await page.getByTestId('app-info').waitFor();
  }, 400_000);

  afterAll(async () => {
    await browser?.close();
    await demo?.stop();
  });

  /** Each screen, with what to wait for and what to open so its hidden parts show too. */
  const screens: { name: string; ready: string; open?: (page: Page) => Promise<void> }[] = [
    {
      name: 'today',
      ready: '[data-testid="entry-row"]',
      open: async (p) => {
        await p.getByTestId('details-toggle').first().click();
      },
    },
    { name: 'forecast', ready: '[data-testid="forecast-table"], [data-testid="forecast-empty"]' },
    { name: 'history', ready: '[data-testid="chart-sold"]' },
    {
      name: 'products',
      ready: '[data-testid="products-table"]',
    },
    { name: 'import', ready: '[data-testid="import-file"]' },
    { name: 'consortium', ready: '[data-testid="ledger"]' },
    { name: 'settings', ready: 'main .about' },
  ];

  /**
   * Everything a user can read on the page: visible text, options of visible lists, tooltips,
   * placeholders, labels and the title. Code (file formats, fingerprints) and the contents of
   * closed "details" disclosures are not prose and are left out.
   */
  const readable = () =>
    page.evaluate(() => {
      const parts = [document.title];
      const shown = (element: Element | null): boolean =>
        !!element &&
        !element.closest('code, pre, kbd, script, style, [aria-hidden="true"]') &&
        (element instanceof HTMLOptionElement
          ? shown(element.closest('select'))
          : element.checkVisibility({ checkOpacity: false, checkVisibilityCSS: true }));
      const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
      for (let node = walker.nextNode(); node; node = walker.nextNode())
        if (node.textContent?.trim() && shown(node.parentElement)) parts.push(node.textContent);
      for (const element of document.querySelectorAll('[title], [placeholder], [aria-label]')) {
        if (!shown(element)) continue;
        for (const name of ['title', 'placeholder', 'aria-label']) {
          const value = element.getAttribute(name);
          if (value) parts.push(value);
        }
      }
      return parts.join('\n');
    });

  /** Words of engineers, not bakers: they belong behind a "details" disclosure, if anywhere. */
  const technical =
    /\b(wasm|webgl|cpu|tensorflow|fs-\d+|pinball|wape|loss|epoch|breadcast [a-z]+|[a-z]+_[a-z_]+)\b/gi;

  /**
   * The bakery's own names (its name, its products, the languages by their own names) are data,
   * whatever language they are in: they are taken out of the text before looking for English.
   */
  const ownNames = () =>
    page.evaluate(async () => {
      const secret = sessionStorage.getItem('breadcast.secret') ?? '';
      const call = async (method: string) =>
        (
          await (
            await fetch(`/api/${method}`, {
              method: 'POST',
              headers: { 'content-type': 'application/json', authorization: `Bearer ${secret}` },
              body: JSON.stringify(method === 'products.list' ? { status: 'all' } : {}),
            })
          ).json()
        ).value;
      const settings = await call('settings.get');
      const products = (await call('products.list')).products as { name: string }[];
      return [settings.shopName as string, ...products.map((p) => p.name), 'English'];
    });
  const withoutNames = (text: string, names: string[]) =>
    names.reduce((rest, name) => rest.split(name).join(' '), text);

  async function visit(screen: (typeof screens)[number]) {
    await page.evaluate((name) => (location.hash = `#/${name}`), screen.name);
    await page.locator(screen.ready).first().waitFor({ timeout: 20_000 });
    await screen.open?.(page);
    // Charts and late panels settle.
    await page.waitForTimeout(400);
  }

  /**
   * What scrolls sideways: the page itself, or any box on it that scrolls (a wide table in a
   * scrolling wrapper hides its last columns just the same). Pixels beyond the visible width.
   */
  const overflow = () =>
    page.evaluate(() => {
      const wide: Record<string, number> = {};
      const page = document.documentElement;
      if (page.scrollWidth > page.clientWidth) wide['page'] = page.scrollWidth - page.clientWidth;
      for (const element of document.querySelectorAll<HTMLElement>('main *')) {
        const { overflowX } = getComputedStyle(element);
        if (overflowX !== 'auto' && overflowX !== 'scroll') continue;
        const hidden = element.scrollWidth - element.clientWidth;
        if (hidden > 1 && element.checkVisibility()) {
          const name = element.dataset.testid ?? element.className ?? element.tagName;
          wide[name] = hidden;
        }
      }
      return wide;
    });

  for (const language of ['en', 'de', 'fr'] as const) {
    it(`${language}: every screen fits 1024 px and speaks to bakers${language === 'en' ? '' : ', with no English'}`, async () => {
      await page.evaluate(() => (location.hash = '#/settings'));
      await page.getByTestId('language').waitFor();
      await page.getByTestId('language').selectOption(language);
      await expect.poll(() => page.evaluate(() => document.documentElement.lang)).toBe(language);
      const found: Record<string, string[]> = {};
      const names = await ownNames();
      const wide: Record<string, Record<string, number>> = {};
      for (const screen of screens) {
        await visit(screen);
        await screenshot(page, `screen-${screen.name}-${language}-1024`);
        const sideways = await overflow();
        if (Object.keys(sideways).length > 0) wide[screen.name] = sideways;
        const text = withoutNames(await readable(), names);
        const jargon = [...new Set(text.match(technical) ?? [])];
        if (jargon.length > 0) found[`${screen.name} (technical)`] = jargon;
        if (language !== 'en') {
          const words = leftoverEnglish(text, language);
          if (words.length > 0) found[screen.name] = words;
        }
      }
      expect({ wide, found }).toEqual({ wide: {}, found: {} });
    });
  }

  it('the English word list the check uses is not empty', () => {
    expect(englishWords().size).toBeGreaterThan(400);
  });
});
