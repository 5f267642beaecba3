// The real built renderer, served through the app:// protocol handler (bridged to HTTP, since
// only Electron can register app:// itself) and opened in real Chromium: it must run under the
// shell's Content-Security-Policy without a single violation, while inline script and eval stay
// blocked.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rendererConfig, rendererDist } from '../../../cli/paths.ts';
import { ensureUiBuilt } from '../../../cli/ui-build.ts';
import { createAppProtocolHandler } from '../../../electron/shell/app-protocol.ts';

let server: Server;
let browser: Browser;
let origin: string;

beforeAll(async () => {
  await ensureUiBuilt(rendererConfig, rendererDist, () => {});
  const handle = createAppProtocolHandler(rendererDist);
  server = createServer((req, res) => {
    void handle(new Request(`app://breadcast${req.url ?? '/'}`, { method: req.method })).then(
      async (response) => {
        res.writeHead(response.status, Object.fromEntries(response.headers));
        res.end(Buffer.from(await response.arrayBuffer()));
      },
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run'],
  });
});

afterAll(async () => {
  await browser?.close();
  await new Promise((resolve) => server?.close(resolve));
});

describe('the renderer under the shell CSP', () => {
  it('mounts with no CSP violation; inline script and eval are blocked', async () => {
    const page = await browser.newPage();
    const problems: string[] = [];
    page.on('console', (message) => {
      if (/Content Security Policy/i.test(message.text())) problems.push(message.text());
    });
    page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
    // What the preload provides in Electron: the typed API object (every call refused here).
    await page.addInitScript(() => {
      const refused = { ok: false, error: { code: 'unavailable', message: 'test' } };
      Object.defineProperty(window, 'breadcast', {
        value: { call: async () => refused, onEvent: () => () => {} },
      });
    });
    await page.goto(`${origin}/index.html`);
    await page.waitForFunction(() => (document.querySelector('#app')?.childElementCount ?? 0) > 0);
    expect(problems).toEqual([]);

    // The page's own string-to-code paths (a string timer is gated like eval) and inline
    // scripts must be refused. (page.evaluate itself is DevTools code, exempt from the CSP.)
    await page.evaluate(() => {
      const script = document.createElement('script');
      script.textContent = 'window.__inlineRan = true';
      document.head.append(script);
      (setTimeout as (code: string, ms: number) => number)('window.__evalRan = true', 0);
    });
    await page.waitForTimeout(200);
    const blocked = await page.evaluate(() => {
      const w = window as { __inlineRan?: boolean; __evalRan?: boolean };
      return { inline: w.__inlineRan ?? false, evalRan: w.__evalRan ?? false };
    });
    expect(blocked).toEqual({ inline: false, evalRan: false });
    expect(problems).toEqual([
      expect.stringMatching(/inline script violates .*blocked/s),
      expect.stringMatching(/string as JavaScript violates .*unsafe-eval.*blocked/s),
    ]);
    await page.close();
  });
});
