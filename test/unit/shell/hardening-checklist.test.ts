// Electron's security checklist (https://www.electronjs.org/docs/latest/tutorial/security),
// item by item, as behaviour of the real main-process code (booted on a stand-in `electron`
// that records what it is asked), the real preload and the real packaging config: windows,
// navigations, window.open, IPC and external links are exercised, not searched for in the
// source. A regression in any item fails CI.
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { electronModule, fake } from './fake-electron.ts';
import { appRequest, bootShell, type BootedShell } from './shell-harness.ts';

vi.mock('electron', async () => (await import('./fake-electron.ts')).electronModule);

const projectRoot = fileURLToPath(new URL('../../..', import.meta.url));
const require = createRequire(import.meta.url);
const builderConfig = require('../../../build/electron-builder.config.cjs') as {
  asar: boolean;
  electronFuses: Record<string, boolean>;
  files: string[];
};

/** What "safe to hand to the system browser" means, written here independently of the shell. */
function isHttpsWithoutCredentials(url: string): boolean {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return false;
  }
  return (
    parsed.protocol === 'https:' &&
    parsed.hostname !== '' &&
    parsed.username === '' &&
    parsed.password === ''
  );
}

/** Every page any window was pointed at, by loadURL or loadFile. */
const loadedPages = () => fake.windows.flatMap((window) => window.loaded);

let shell: BootedShell;
let prefs: Record<string, unknown>;
beforeAll(async () => {
  shell = await bootShell();
  prefs = fake.windows[0]!.options.webPreferences;
});
afterAll(() => shell.close());

describe("Electron's security checklist", () => {
  it('1. only loads secure content: the UI comes from app://breadcast, nothing from the network', async () => {
    expect(loadedPages()).toEqual(['app://breadcast/index.html']);
    expect(fake.calls.privilegedSchemes).toEqual([
      expect.objectContaining({ privileges: expect.objectContaining({ secure: true }) }),
    ]);
    const csp = (
      await fake.protocolHandlers.get('app')!(appRequest('app://breadcast/'))
    ).headers.get('content-security-policy')!;
    expect(csp).not.toMatch(/https?:|\*/);
  });

  it('2. no Node.js integration in the renderer, its workers or sub-frames', () => {
    expect(prefs.nodeIntegration).toBe(false);
    expect(prefs.nodeIntegrationInWorker).toBe(false);
    expect(prefs.nodeIntegrationInSubFrames).toBe(false);
  });

  it('3. context isolation is on', () => {
    expect(prefs.contextIsolation).toBe(true);
  });

  it('4. the renderer is sandboxed, and sandboxing is enforced app-wide', () => {
    expect(prefs.sandbox).toBe(true);
    expect(fake.calls.enableSandbox).toBe(1);
  });

  it('5. session permission requests and checks are denied', async () => {
    const granted = await new Promise((resolve) =>
      fake.session.permissionRequest!({}, 'media', resolve, {}),
    );
    expect(granted).toBe(false);
    expect(fake.session.permissionCheck!({}, 'geolocation', 'app://breadcast', {})).toBe(false);
    expect(fake.session.devicePermission!({})).toBe(false);
  });

  it('6. webSecurity is not disabled', () => {
    expect(prefs.webSecurity).toBe(true);
  });

  it('7. a strict Content-Security-Policy is sent with app:// and any other response', async () => {
    const response = await fake.protocolHandlers.get('app')!(
      appRequest('app://breadcast/index.html'),
    );
    const csp = response.headers.get('content-security-policy')!;
    expect(csp).toMatch(/default-src 'none'/);
    expect(csp).toMatch(/script-src 'self'(;|$)/);
    expect(csp).toMatch(/object-src 'none'/);
    expect(csp).toMatch(/frame-ancestors 'none'/);
    expect(csp).toMatch(/connect-src 'self'(;|$)/);
    expect(csp).not.toMatch(/unsafe-eval|wasm-unsafe-eval/);
    let headers: Record<string, string[]> = {};
    fake.session.headersReceived!(
      { responseHeaders: { 'Content-Type': ['text/html'] } },
      (result: { responseHeaders: Record<string, string[]> }) => (headers = result.responseHeaders),
    );
    expect(headers['Content-Security-Policy']).toEqual([csp]);
  });

  it('8. insecure content is not allowed', () => {
    expect(prefs.allowRunningInsecureContent).toBe(false);
  });

  it('9. experimental features are off', () => {
    expect(prefs.experimentalFeatures).toBe(false);
  });

  it('10. no enableBlinkFeatures, in any window', () => {
    for (const window of fake.windows)
      expect(window.options.webPreferences).not.toHaveProperty('enableBlinkFeatures');
  });

  it('11–12. <webview> is disabled and any attach attempt is prevented', () => {
    expect(prefs.webviewTag).toBe(false);
    expect(fake.windows[0]!.webContents.attempt('will-attach-webview', 'app://breadcast/')).toBe(
      true,
    );
  });

  it('13. navigation away from app://breadcast is prevented (including redirects)', () => {
    const contents = fake.windows[0]!.webContents;
    expect(contents.attempt('will-navigate', 'https://evil.example/')).toBe(true);
    expect(contents.attempt('will-frame-navigate', 'https://evil.example/')).toBe(true);
    expect(contents.attempt('will-redirect', 'https://evil.example/')).toBe(true);
    expect(contents.attempt('will-navigate', 'app://breadcast/index.html')).toBe(false);
  });

  it('13b. the guards cover every WebContents, not only the main window', () => {
    const stray = new (
      electronModule.BrowserWindow as unknown as new (o: unknown) => {
        webContents: { attempt(e: string, u: string): boolean };
      }
    )({ webPreferences: {} });
    expect(stray.webContents.attempt('will-navigate', 'https://evil.example/')).toBe(true);
  });

  it('14. new windows are denied', () => {
    const open = fake.windows[0]!.webContents.windowOpenHandler!;
    expect(open({ url: 'app://breadcast/index.html' })).toEqual({ action: 'deny' });
    expect(open({ url: 'https://example.com/' })).toEqual({ action: 'deny' });
  });

  it('15. shell.openExternal only ever gets https URLs that passed the URL parser', () => {
    fake.calls.openExternal.length = 0;
    const contents = fake.windows[0]!.webContents;
    const open = contents.windowOpenHandler!;
    const unsafe = [
      'file:///etc/passwd',
      'javascript:alert(1)',
      'ms-msdt:x',
      'https://a:b@x.example/',
      'https://a@x.example/',
      'http://example.com/',
      'smb://share/x',
      'https://',
      'not a url',
    ];
    for (const url of unsafe) {
      expect(open({ url })).toEqual({ action: 'deny' });
      expect(contents.attempt('will-navigate', url)).toBe(true);
    }
    expect(fake.calls.openExternal).toEqual([]);
    contents.attempt('will-navigate', 'https://help.example/bake');
    open({ url: 'https://help.example/docs' });
    expect(fake.calls.openExternal).toEqual([
      'https://help.example/bake',
      'https://help.example/docs',
    ]);
  });

  it('15b. whatever a page asks to open or navigate to, only credential-free https reaches the system browser', () => {
    const contents = fake.windows[0]!.webContents;
    const url = fc.oneof(
      fc.webUrl({
        validSchemes: ['https', 'http', 'file', 'ftp', 'app', 'javascript', 'smb'],
        authoritySettings: { withUserInfo: true, withPort: true },
        withQueryParameters: true,
        withFragments: true,
      }),
      fc.string(),
    );
    fc.assert(
      fc.property(
        url,
        fc.constantFrom('open', 'will-navigate', 'will-frame-navigate'),
        (u, how) => {
          fake.calls.openExternal.length = 0;
          if (how === 'open')
            expect(contents.windowOpenHandler!({ url: u })).toEqual({ action: 'deny' });
          else expect(contents.attempt(how, u)).toBe(!u.startsWith('app://breadcast/'));
          expect(fake.calls.openExternal).toEqual(isHttpsWithoutCredentials(u) ? [u] : []);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('16. Electron is a current major (>= 42)', () => {
    const installed = require('electron/package.json') as { version: string };
    expect(Number(installed.version.split('.')[0])).toBeGreaterThanOrEqual(42);
  });

  it('17. every IPC call checks its sender frame with the URL parser', async () => {
    for (const url of [
      'https://evil.example/',
      'file:///x.html',
      'app://other/',
      'app://breadcast@evil/',
    ]) {
      expect((await shell.invoke(url, 'app.info', {})).ok).toBe(false);
    }
    expect((await shell.invoke('app://breadcast/index.html', 'app.info', {})).ok).toBe(true);
    // One IPC entry point, the checked one; main listens on nothing else.
    expect(fake.ipcRegistrations).toEqual(['handle breadcast:call']);
  });

  it('18. no file:// pages: custom app:// scheme, no loadFile, file protocol privileges fused off', () => {
    // A window reopened from the tray loads the same page as the first.
    shell.handle!.window()!.close();
    shell.handle!.openWindow();
    expect(loadedPages()).toEqual(['app://breadcast/index.html', 'app://breadcast/index.html']);
    expect(builderConfig.electronFuses.grantFileProtocolExtraPrivileges).toBe(false);
  });

  it('19. fuses: no run-as-node, no NODE_OPTIONS, no inspect flags, asar integrity, asar only', () => {
    expect(builderConfig.electronFuses).toMatchObject({
      runAsNode: false,
      enableNodeOptionsEnvironmentVariable: false,
      enableNodeCliInspectArguments: false,
      enableEmbeddedAsarIntegrityValidation: true,
      onlyLoadAppFromAsar: true,
      enableCookieEncryption: true,
      grantFileProtocolExtraPrivileges: false,
    });
    expect(builderConfig.asar).toBe(true);
  });

  it('20. the page gets one typed object with call and onEvent, no Electron API', async () => {
    electronModule.contextBridge.exposeInMainWorld.mockClear();
    await import('../../../electron/shell/preload.ts');
    const calls = electronModule.contextBridge.exposeInMainWorld.mock.calls;
    expect(calls.map((call) => call[0])).toEqual(['breadcast']);
    expect(Object.keys(calls[0]![1] as object).sort()).toEqual(['call', 'onEvent']);
  });

  it('no remote module anywhere', () => {
    const pkg = JSON.parse(readFileSync(join(projectRoot, 'package.json'), 'utf8')) as {
      dependencies?: Record<string, string>;
      devDependencies?: Record<string, string>;
    };
    expect({ ...pkg.dependencies, ...pkg.devDependencies }).not.toHaveProperty('@electron/remote');
    for (const window of fake.windows)
      expect(window.options.webPreferences).not.toHaveProperty('enableRemoteModule');
  });

  it('the bakery backend is not in the main process: it runs in a utility process', async () => {
    expect(fake.forks.map((child) => child.modulePath)).toEqual([
      join(shell.electronDist, 'backend-process.cjs'),
    ]);
    // With a utility process that never starts a backend, main alone opens no database.
    const hollow = await bootShell({ backend: false });
    try {
      expect(fake.forks[0]!.received[0]).toEqual({
        kind: 'init',
        databasePath: hollow.databasePath,
      });
      expect(existsSync(hollow.databasePath)).toBe(false);
    } finally {
      await hollow.close();
    }
  });
});
