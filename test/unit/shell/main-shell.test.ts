import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { checkIntegrity, openDatabase } from '../../../electron/store/database.ts';
import { fake } from './fake-electron.ts';
import { appRequest, bootShell, secretText, type BootedShell } from './shell-harness.ts';

vi.mock('electron', async () => (await import('./fake-electron.ts')).electronModule);
const updater = vi.hoisted(() => ({ checks: 0 }));
vi.mock('electron-updater', () => ({
  autoUpdater: {
    on: () => {},
    checkForUpdatesAndNotify: async () => {
      updater.checks++;
      return null;
    },
  },
}));

let shell: BootedShell | null = null;
afterEach(async () => {
  await shell?.close();
  shell = null;
  updater.checks = 0;
});

const appUrl = 'app://breadcast/index.html';

describe('the window', () => {
  it('is created with the hardened web preferences and loads app://breadcast, never file://', async () => {
    shell = await bootShell();
    expect(fake.windows).toHaveLength(1);
    const [window] = fake.windows;
    expect(window!.options.webPreferences).toEqual({
      preload: join(shell.electronDist, 'preload.cjs'),
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      experimentalFeatures: false,
      webviewTag: false,
      navigateOnDragDrop: false,
      safeDialogs: true,
      spellcheck: false,
      devTools: true,
    });
    expect(window!.loaded).toEqual([appUrl]);
    expect(fake.calls.enableSandbox).toBe(1);
  });

  it('turns dev tools off in a packaged app', async () => {
    shell = await bootShell({ isPackaged: true, env: { BREADCAST_NO_UPDATE: '1' } });
    expect(fake.windows[0]!.options.webPreferences.devTools).toBe(false);
  });
});

describe('IPC', () => {
  it('answers our own page through the backend utility process (real dispatcher and SQLite)', async () => {
    shell = await bootShell();
    const result = await shell.invoke(appUrl, 'app.info', {});
    expect(result).toMatchObject({
      ok: true,
      value: { transport: 'electron', databasePath: shell.databasePath },
    });
  });

  it.each([
    ['https://evil.example/'],
    ['file:///index.html'],
    ['app://other/index.html'],
    ['app://breadcast.evil.example/index.html'],
    ['app://breadcast@evil.example/index.html'],
    ['http://breadcast/index.html'],
    ['about:blank'],
    ['not a url'],
  ])('refuses a call from a frame at %s and forwards nothing', async (url) => {
    shell = await bootShell();
    const forwarded = vi.spyOn(shell.handle!.backend, 'call');
    const result = await shell.invoke(url, 'app.info', {});
    expect(result).toEqual({
      ok: false,
      error: { code: 'bad-request', message: expect.stringMatching(/only the Breadcast app/) },
    });
    expect(forwarded).not.toHaveBeenCalled();
  });

  it('refuses a destroyed frame and a sub-frame, even of our origin', async () => {
    shell = await bootShell();
    expect((await shell.invoke(null, 'app.info', {})).ok).toBe(false);
    expect((await shell.invoke(appUrl, 'app.info', {}, { url: appUrl })).ok).toBe(false);
  });

  it('refuses malformed method names in main and bad payloads in the backend dispatcher', async () => {
    shell = await bootShell();
    expect(await shell.invoke(appUrl, 42, {})).toMatchObject({
      ok: false,
      error: { code: 'not-found' },
    });
    expect(await shell.invoke(appUrl, '__proto__', {})).toMatchObject({
      ok: false,
      error: { code: 'not-found' },
    });
    expect(await shell.invoke(appUrl, 'nothing.here', {})).toMatchObject({
      ok: false,
      error: { code: 'not-found' },
    });
    const bad = await shell.invoke(appUrl, 'app.info', { extra: 'field' });
    expect(bad).toMatchObject({ ok: false, error: { code: 'bad-request' } });
  });
});

describe('navigation, windows, webviews and permissions', () => {
  it('keeps the window on app://breadcast and sends only https links to the system browser', async () => {
    shell = await bootShell();
    const contents = fake.windows[0]!.webContents;
    expect(contents.attempt('will-navigate', 'app://breadcast/index.html#/today')).toBe(false);
    expect(contents.attempt('will-navigate', 'https://help.example/bake')).toBe(true);
    expect(contents.attempt('will-navigate', 'file:///etc/passwd')).toBe(true);
    expect(contents.attempt('will-navigate', 'http://example.com/')).toBe(true);
    expect(contents.attempt('will-frame-navigate', 'https://evil.example/')).toBe(true);
    expect(contents.attempt('will-redirect', 'https://evil.example/')).toBe(true);
    expect(contents.attempt('will-redirect', 'app://breadcast/index.html')).toBe(false);
    expect(contents.attempt('will-attach-webview', 'app://breadcast/index.html')).toBe(true);
    // Redirects never open externally; only the navigations to https URLs did.
    expect(fake.calls.openExternal).toEqual(['https://help.example/bake', 'https://evil.example/']);
  });

  it('denies every window.open and opens only safe https URLs externally', async () => {
    shell = await bootShell();
    const open = fake.windows[0]!.webContents.windowOpenHandler!;
    for (const url of [
      'https://example.com/docs',
      'javascript:alert(1)',
      'file:///etc/passwd',
      'https://user:pw@example.com/',
      'smb://share/x',
      'app://breadcast/index.html',
    ]) {
      expect(open({ url })).toEqual({ action: 'deny' });
    }
    expect(fake.calls.openExternal).toEqual(['https://example.com/docs']);
  });

  it('denies every permission request and check', async () => {
    shell = await bootShell();
    for (const permission of ['media', 'geolocation', 'notifications', 'clipboard-read', 'hid']) {
      const granted = await new Promise((resolve) =>
        fake.session.permissionRequest!({}, permission, resolve, {}),
      );
      expect(granted).toBe(false);
      expect(fake.session.permissionCheck!({}, permission, appUrl, {})).toBe(false);
    }
    expect(fake.session.devicePermission!({})).toBe(false);
  });
});

describe('the app:// protocol', () => {
  it('serves the renderer with the CSP on every response', async () => {
    shell = await bootShell();
    expect(fake.calls.privilegedSchemes).toEqual([
      expect.objectContaining({
        scheme: 'app',
        privileges: expect.objectContaining({ standard: true, secure: true }),
      }),
    ]);
    const handler = fake.protocolHandlers.get('app')!;
    for (const [url, status] of [
      [appUrl, 200],
      ['app://breadcast/', 200],
      ['app://breadcast/assets/app.js', 200],
      ['app://breadcast/missing.js', 404],
      ['app://other/index.html', 403],
    ] as const) {
      const response = await handler(appRequest(url));
      expect(response.status, url).toBe(status);
      const csp = response.headers.get('content-security-policy') ?? '';
      expect(csp).toContain("script-src 'self'");
      expect(csp).toContain("object-src 'none'");
      expect(csp).toContain("frame-ancestors 'none'");
      expect(csp).toContain("connect-src 'self'");
      expect(csp).not.toContain('unsafe-eval');
      expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    }
    const page = await handler(appRequest(appUrl));
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    expect(await page.text()).toContain('<title>Breadcast</title>');
    expect((await handler(appRequest(appUrl, 'POST'))).status).toBe(405);
  });

  it.each([
    'app://breadcast/../secret.txt',
    'app://breadcast/%2e%2e/secret.txt',
    'app://breadcast/..%2fsecret.txt',
    'app://breadcast/assets/..%2f..%2fsecret.txt',
    'app://breadcast/..%5csecret.txt',
    'app://breadcast/%2e%2e%2f%2e%2e%2fsecret.txt',
    'app://breadcast/assets/%00/../../secret.txt',
    'app://breadcast/%252e%252e/secret.txt',
  ])('never serves a file outside the renderer folder: %s', async (url) => {
    shell = await bootShell();
    const response = await fake.protocolHandlers.get('app')!(appRequest(url));
    expect(response.status).not.toBe(200);
    expect(await response.text()).not.toContain(secretText);
  });
});

describe('single instance', () => {
  it('a second instance quits without opening a window or a backend', async () => {
    shell = await bootShell({ lock: false });
    expect(shell.handle).toBeNull();
    expect(fake.calls.quit).toBe(1);
    expect(fake.windows).toHaveLength(0);
    expect(fake.forks).toHaveLength(0);
    expect(fake.ipcHandlers.size).toBe(0);
  });

  it('the first instance brings its window forward, or reopens it, when a second one starts', async () => {
    shell = await bootShell();
    fake.app.emit('second-instance');
    expect(fake.windows).toHaveLength(1);
    expect(fake.windows[0]!.focused).toBe(1);
    shell.handle!.window()!.close();
    fake.app.emit('second-instance');
    expect(fake.windows).toHaveLength(2);
  });
});

describe('the backend utility process', () => {
  it('is forked from the compiled entry and opens BREADCAST_DB there, not in main', async () => {
    shell = await bootShell();
    expect(fake.forks).toHaveLength(1);
    const child = fake.forks[0]!;
    expect(child.modulePath).toBe(join(shell.electronDist, 'backend-process.cjs'));
    expect(child.received[0]).toEqual({ kind: 'init', databasePath: shell.databasePath });
    await shell.handle!.backend.start();
    expect(shell.backends.map((b) => b.context.databasePath)).toEqual([shell.databasePath]);
  });

  it('defaults the database to userData/breadcast.sqlite', async () => {
    shell = await bootShell({ env: { BREADCAST_DB: '' } });
    expect(fake.forks[0]!.received[0]).toEqual({
      kind: 'init',
      databasePath: join(fake.userData, 'breadcast.sqlite'),
    });
  });

  it('relays backend events to the window and holds a power-save blocker while a job asks', async () => {
    shell = await bootShell();
    await shell.handle!.backend.start();
    const events = shell.backends[0]!.context.events;
    const contents = fake.windows[0]!.webContents;
    events.emit({ type: 'keep-awake', active: true, reason: 'training' });
    events.emit({ type: 'keep-awake', active: true, reason: 'sync' });
    events.emit({ type: 'data.changed', scope: 'logs' });
    await vi.waitFor(() => expect(contents.sent).toHaveLength(3));
    expect(contents.sent[2]).toEqual({
      channel: 'breadcast:event',
      args: [{ type: 'data.changed', scope: 'logs' }],
    });
    expect(fake.calls.powerStart).toEqual(['prevent-app-suspension']);
    events.emit({ type: 'keep-awake', active: false, reason: 'training' });
    await vi.waitFor(() => expect(contents.sent).toHaveLength(4));
    expect(fake.blockers.size).toBe(1);
    events.emit({ type: 'keep-awake', active: false, reason: 'sync' });
    await vi.waitFor(() => expect(fake.blockers.size).toBe(0));
  });

  it('releases the blocker and answers pending calls when the backend dies, then restarts it', async () => {
    shell = await bootShell();
    await shell.handle!.backend.start();
    shell.backends[0]!.context.events.emit({
      type: 'keep-awake',
      active: true,
      reason: 'training',
    });
    await vi.waitFor(() => expect(fake.blockers.size).toBe(1));
    fake.forks[0]!.kill();
    expect(fake.blockers.size).toBe(0);
    shell.backends[0]!.close();
    const again = await shell.invoke(appUrl, 'app.info', {});
    expect(again.ok).toBe(true);
    expect(fake.forks).toHaveLength(2);
  });

  it('reports a database it cannot open as a readable refusal instead of crashing', async () => {
    const junk = join(mkdtempSync(join(tmpdir(), 'breadcast-junk-')), 'bakery.sqlite');
    writeFileSync(junk, 'this is a spreadsheet, not a database\n'.repeat(200));
    shell = await bootShell({ env: { BREADCAST_DB: junk } });
    const result = await shell.invoke(appUrl, 'app.info', {});
    expect(result).toMatchObject({
      ok: false,
      error: {
        code: 'unavailable',
        message: expect.stringMatching(/could not be opened: .*not a Breadcast bakery database/),
      },
    });
    rmSync(dirname(junk), { recursive: true, force: true });
  });

  it('shuts the backend down cleanly on quit, leaving an intact database', async () => {
    shell = await bootShell();
    expect((await shell.invoke(appUrl, 'app.info', {})).ok).toBe(true);
    fake.app.emit('window-all-closed');
    expect(fake.calls.quit).toBe(0); // stays in the tray
    shell.handle!.quit();
    expect(fake.calls.quit).toBe(1);
    let prevented = false;
    fake.app.emit('will-quit', { preventDefault: () => (prevented = true) });
    expect(prevented).toBe(true);
    await vi.waitFor(() => expect(fake.calls.quit).toBe(2));
    fake.app.emit('will-quit', { preventDefault: () => expect.fail('second will-quit blocked') });
    const db = openDatabase(shell.databasePath);
    expect(() => checkIntegrity(db)).not.toThrow();
    db.close();
  });
});

describe('the tray', () => {
  it('offers open, train now and quit, wired to the window, the backend and app.quit', async () => {
    shell = await bootShell();
    expect(fake.calls.trayIcons).toEqual([join(shell.electronDist, 'tray.png')]);
    const menu = fake.trayMenus[0]!;
    expect(menu.filter((item) => item.label).map((item) => item.label)).toEqual([
      'Open Breadcast',
      'Train now',
      'Quit Breadcast',
    ]);
    const forwarded = vi.spyOn(shell.handle!.backend, 'call');
    menu.find((item) => item.label === 'Train now')!.click!();
    expect(forwarded).toHaveBeenCalledWith('training.start', {});
    shell.handle!.window()!.close();
    menu.find((item) => item.label === 'Open Breadcast')!.click!();
    expect(fake.windows).toHaveLength(2);
    menu.find((item) => item.label === 'Quit Breadcast')!.click!();
    expect(fake.calls.quit).toBe(1);
  });
});

describe('auto-update', () => {
  it('never runs unpackaged or under a test runner; runs in a packaged app', async () => {
    shell = await bootShell({ isPackaged: false, env: {} });
    await shell.close();
    shell = await bootShell({ isPackaged: true, env: { VITEST: 'true' } });
    await shell.close();
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(updater.checks).toBe(0);
    shell = await bootShell({ isPackaged: true, env: {} });
    await vi.waitFor(() => expect(updater.checks).toBe(1));
  });
});
