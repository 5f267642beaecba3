import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshDir, launchChromium, startCli, type RunningCli } from './harness.ts';

describe('browser mode', () => {
  let browser: Browser;
  let shop: RunningCli;
  let url: string;

  beforeAll(async () => {
    const dir = freshDir();
    const started = await startCli(
      ['shop', '--db', join(dir, 'shop.sqlite'), '--port', '0'],
      /(http:\/\/127\.0\.0\.1:\d+\/#secret=\S+)/,
    );
    shop = started.cli;
    url = started.match[1]!;
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
    await shop?.stop();
  });

  it('opens the app, which reaches its backend through the HTTP bridge', async () => {
    const page = await browser.newPage();
    await page.goto(url);
    await expect.poll(() => page.getByTestId('app-info').textContent()).toContain('http');
    // The secret moved from the fragment into session storage and out of the address bar.
    expect(page.url()).not.toContain('secret=');
  });

  it('refuses API calls without the launch secret', async () => {
    const origin = new URL(url).origin;
    const response = await fetch(`${origin}/api/app.info`, {
      method: 'POST',
      body: '{}',
      headers: { 'content-type': 'application/json' },
    });
    expect(response.status).toBe(401);
  });
});
