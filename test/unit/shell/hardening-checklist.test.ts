// Electron's security checklist (https://www.electronjs.org/docs/latest/tutorial/security),
// item by item, against the real main-process code (booted on a mocked `electron`), the real
// preload and the real packaging config. A regression in any item fails CI.
import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
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
const shellSources = readdirSync(join(projectRoot, 'electron/shell'))
  .filter((name) => name.endsWith('.ts'))
  .map((name) => ({
    name,
    text: readFileSync(join(projectRoot, 'electron/shell', name), 'utf8'),
  }));
const allShellSource = shellSources.map((file) => file.text).join('\n');

let shell: BootedShell;
let prefs: Record<string, unknown>;
beforeAll(async () => {
  shell = await bootShell();
  prefs = fake.windows[0]!.options.webPreferences;
});
afterAll(() => shell.close());

describe("Electron's security checklist", () => {
  it('1. only loads secure content: the UI comes from app://breadcast, nothing from the network', async () => {
    expect(fake.windows.flatMap((window) => window.loaded)).toEqual(['app://breadcast/index.html']);
    expect(fake.calls.privilegedSchemes).toEqual([
      expect.objectContaining({ privileges: expect.objectContaining({ secure: true }) }),
    ]);
    expect(allShellSource).not.toMatch(/loadURL\(\s*['"`]https?:/);
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

  it('10. no enableBlinkFeatures', () => {
    expect(prefs).not.toHaveProperty('enableBlinkFeatures');
    expect(allShellSource).not.toMatch(/enableBlinkFeatures/);
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
    const open = fake.windows[0]!.webContents.windowOpenHandler!;
    for (const url of [
      'file:///etc/passwd',
      'javascript:alert(1)',
      'ms-msdt:x',
      'https://a:b@x.example/',
    ]) {
      open({ url });
      fake.windows[0]!.webContents.attempt('will-navigate', url);
    }
    expect(fake.calls.openExternal).toEqual([]);
    const calls = allShellSource.match(/shell\.openExternal\(/g) ?? [];
    expect(calls).toHaveLength(1);
    expect(allShellSource).toMatch(
      /if \(isSafeExternalUrl\(url\)\) return shell\.openExternal\(url\)/,
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
    // One IPC entry point, registered through the sender check; nothing else listens.
    expect([...fake.ipcHandlers.keys()]).toEqual(['breadcast:call']);
    expect(allShellSource.match(/ipcMain\.(handle|on|once|handleOnce)\(/g)).toEqual([
      'ipcMain.handle(',
    ]);
    expect(shellSources.find((f) => /ipcMain\.handle\(/.test(f.text))?.name).toBe('ipc.ts');
  });

  it('18. no file:// pages: custom app:// scheme, no loadFile, file protocol privileges fused off', () => {
    expect(allShellSource).not.toMatch(/\.loadFile\(|loadURL\(\s*['"`]file:/);
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
    expect(allShellSource).toMatch(/\} satisfies BreadcastApi;/);
  });

  it('no remote module anywhere', () => {
    const pkg = JSON.parse(readFileSync(join(projectRoot, 'package.json'), 'utf8')) as {
      dependencies?: Record<string, string>;
      devDependencies?: Record<string, string>;
    };
    expect({ ...pkg.dependencies, ...pkg.devDependencies }).not.toHaveProperty('@electron/remote');
    expect(allShellSource).not.toMatch(/@electron\/remote|enableRemoteModule/);
  });

  it('the bakery backend is not in the main process: it runs in a utility process', () => {
    expect(fake.forks.map((child) => child.modulePath)).toEqual([
      join(shell.electronDist, 'backend-process.cjs'),
    ]);
    const main = shellSources.find((f) => f.name === 'main.ts')!.text;
    expect(main).not.toMatch(/backend\/backend\.ts|store\/database|better-sqlite3/);
  });
});
