import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { expect } from 'vitest';
import { englishWords, leftoverEnglish } from './english-leftovers.ts';
import { callApi, freshDir } from './harness.ts';

export type Language = 'en' | 'de' | 'fr';
export const walkLanguages: Language[] = ['en', 'de', 'fr'];

/** Words of engineers, not bakers: they belong behind a "details" disclosure, if anywhere. */
const technical =
  /\b(wasm|webgl|cpu|tensorflow|fs-\d+|pinball|wape|loss|epoch|breadcast [a-z]+|[a-z]+_[a-z_]+)\b/gi;

/**
 * Every toast the page shows, kept as it appears: a success message goes away after a few
 * seconds, and the walk must read it however slowly the machine runs. Call before `goto`.
 */
export async function keepToasts(page: Page): Promise<void> {
  await page.addInitScript(() => {
    const seen: Element[] = [];
    Object.assign(window, { breadcastToasts: seen });
    new MutationObserver((changes) => {
      for (const change of changes)
        for (const node of change.addedNodes)
          if (node instanceof Element)
            for (const toast of [node, ...node.querySelectorAll('*')])
              if (toast.getAttribute('data-testid') === 'toast' && !seen.includes(toast))
                seen.push(toast);
    }).observe(document, { childList: true, subtree: true });
  });
}

/**
 * What a user can read on the page: visible text, options of visible lists, tooltips,
 * placeholders, labels, the title, and every toast shown since the last look. Code (file
 * formats, paths) is not prose. `technical` is what stands inside an opened "details"
 * disclosure, where engineers' words are allowed (but English in de/fr still is not).
 */
const readable = (page: Page) =>
  page.evaluate(() => {
    const prose = [document.title];
    const technical: string[] = [];
    const shown = (element: Element | null): boolean =>
      !!element &&
      !element.closest('code, pre, kbd, script, style, [aria-hidden="true"]') &&
      (element instanceof HTMLOptionElement
        ? shown(element.closest('select'))
        : element.checkVisibility({ checkOpacity: false, checkVisibilityCSS: true }));
    const add = (element: Element, text: string) =>
      (element.closest('details[open]') && !element.closest('summary') ? technical : prose).push(
        text,
      );
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode())
      if (node.textContent?.trim() && shown(node.parentElement))
        add(node.parentElement!, node.textContent);
    for (const element of document.querySelectorAll('[title], [placeholder], [aria-label]')) {
      if (!shown(element)) continue;
      for (const name of ['title', 'placeholder', 'aria-label']) {
        const value = element.getAttribute(name);
        if (value) add(element, value);
      }
    }
    const toasts = (window as unknown as { breadcastToasts?: Element[] }).breadcastToasts ?? [];
    for (const toast of toasts.splice(0))
      prose.push(toast.querySelector('span')?.textContent ?? '');
    return { prose: prose.join('\n'), technical: technical.join('\n') };
  });

/**
 * The bakery's own names (its name, its products, the languages by their own names) are data,
 * whatever language they are in: they are taken out of the text before looking for English.
 */
async function ownNames(page: Page): Promise<string[]> {
  const settings = await callApi(page, 'settings.get', {});
  const { products } = await callApi(page, 'products.list', { status: 'all' });
  return [settings.shopName, ...products.map((p) => p.name), 'English'].filter(Boolean);
}
const withoutNames = (text: string, names: string[]) =>
  names.reduce((rest, name) => rest.split(name).join(' '), text);

/**
 * What scrolls sideways: the page itself (wider than the window or than its visible width), or
 * any box on it that scrolls (a wide table in a scrolling wrapper hides its last columns just
 * the same). Pixels beyond the visible width.
 */
const overflow = (page: Page) =>
  page.evaluate(() => {
    const wide: Record<string, number> = {};
    const root = document.documentElement;
    if (root.scrollWidth > innerWidth) wide['window'] = root.scrollWidth - innerWidth;
    if (root.scrollWidth > root.clientWidth) wide['page'] = root.scrollWidth - root.clientWidth;
    for (const element of document.querySelectorAll<HTMLElement>('main *, dialog *')) {
      const { overflowX } = getComputedStyle(element);
      if (overflowX !== 'auto' && overflowX !== 'scroll') continue;
      const hidden = element.scrollWidth - element.clientWidth;
      if (hidden > 1 && element.checkVisibility()) {
        const name = element.dataset.testid ?? (element.className || element.tagName);
        wide[name] = hidden;
      }
    }
    return wide;
  });

/** Screenshots of every look go to one temporary folder per run, never into the repository. */
let shots: string | undefined;
function shotsDir(): string {
  if (!shots) {
    shots = freshDir('breadcast-screens-1024-');
    console.log(`screenshots of the screen walk: ${shots}`);
  }
  return shots;
}

/**
 * One language's walk through a bakery's screens. Each `look` takes a screenshot, measures
 * sideways scrolling and reads everything on screen; `expectClean` fails with all of it at once.
 */
export class ScreenWalk {
  readonly wide: Record<string, Record<string, number>> = {};
  readonly found: Record<string, string[]> = {};
  readonly looked: string[] = [];
  /** Words that are the bakery's data on these screens (a file's own column names). */
  readonly data: string[] = [];

  constructor(
    private readonly page: Page,
    readonly language: Language,
  ) {}

  async look(name: string): Promise<void> {
    const { page, language } = this;
    await page.screenshot({ path: join(shotsDir(), `${name}-${language}.png`), fullPage: true });
    this.looked.push(name);
    const sideways = await overflow(page);
    if (Object.keys(sideways).length > 0) this.wide[name] = sideways;
    const names = [...(await ownNames(page)), ...this.data];
    const text = await readable(page);
    const prose = withoutNames(text.prose, names);
    const jargon = [...new Set(prose.match(technical) ?? [])];
    if (jargon.length > 0) this.found[`${name} (technical)`] = jargon;
    if (language !== 'en') {
      const words = leftoverEnglish(`${prose}\n${withoutNames(text.technical, names)}`, language);
      if (words.length > 0) this.found[name] = words;
    }
  }

  expectClean(): void {
    expect({ wide: this.wide, found: this.found }).toEqual({ wide: {}, found: {} });
  }
}

/** Switches the app's language the way a baker does, on the Settings screen. */
export async function chooseLanguage(page: Page, language: Language): Promise<void> {
  await showRoute(page, 'settings');
  await page.getByTestId('language').waitFor();
  await page.getByTestId('language').selectOption(language);
  await expect
    .poll(() => page.evaluate(() => document.documentElement.lang), { timeout: 20_000 })
    .toBe(language);
  // Messages shown in the language before are not this language's to answer for: dismissed,
  // and forgotten.
  await page.evaluate(() => {
    for (const button of document.querySelectorAll<HTMLElement>('[data-testid="toast"] button'))
      button.click();
    (window as unknown as { breadcastToasts?: Element[] }).breadcastToasts?.splice(0);
  });
  await expect.poll(() => page.getByTestId('toast').count(), { timeout: 20_000 }).toBe(0);
}

/** Goes to a screen by its address, as the navigation does. */
export async function showRoute(page: Page, route: string): Promise<void> {
  await page.evaluate((hash) => (location.hash = `#/${hash}`), route);
}

export const englishWordCount = () => englishWords().size;
