import {
  app,
  BrowserWindow,
  ipcMain,
  powerSaveBlocker,
  protocol,
  session,
  shell,
  type Tray,
} from 'electron';
import type { BackendEvent } from '../api/contract/index.ts';
import { appSchemePrivileges, createAppProtocolHandler } from './app-protocol.ts';
import { BackendLink } from './backend-link.ts';
import { eventChannel, registerApiIpc } from './ipc.ts';
import { KeepAwake } from './keep-awake.ts';
import { databasePathFor, shellFiles } from './paths.ts';
import {
  appEntryUrl,
  appScheme,
  denyAllPermissions,
  enforceCspHeaders,
  hardenWebContents,
  isSafeExternalUrl,
  secureWebPreferences,
} from './security.ts';
import { createTray } from './tray.ts';
import { shouldAutoUpdate, startAutoUpdate } from './updates.ts';

/** Printed once the window shows, so `breadcast start` knows Electron came up. */
export const windowReadyMarker = 'breadcast:window-ready';

/** The API method the tray's "Train now" calls. */
export const trainNowMethod = 'training.start';

export type ShellOptions = {
  /** Folder of the compiled shell (dist/electron); the renderer is beside it in dist/renderer. */
  electronDist: string;
  env: NodeJS.ProcessEnv;
  log?: (line: string) => void;
};

export type ShellHandle = {
  backend: BackendLink;
  keepAwake: KeepAwake;
  window(): BrowserWindow | null;
  tray(): Tray | null;
  openWindow(): BrowserWindow;
  trainNow(): Promise<void>;
  quit(): void;
};

/**
 * Wires the desktop app together and nothing more: security settings, the app:// scheme, the
 * window, the tray and the IPC relay to the backend utility process. Returns null when another
 * instance already runs (that one is focused instead).
 */
export async function startShell(options: ShellOptions): Promise<ShellHandle | null> {
  const log = options.log ?? ((line: string) => console.error(`[breadcast] ${line}`));
  const files = shellFiles(options.electronDist);

  // Both must happen before `ready`.
  protocol.registerSchemesAsPrivileged([appSchemePrivileges]);
  app.enableSandbox();

  if (!app.requestSingleInstanceLock()) {
    app.quit();
    return null;
  }

  const openExternal = (url: string) => {
    if (isSafeExternalUrl(url)) return shell.openExternal(url);
  };
  app.on('web-contents-created', (_event, contents) => hardenWebContents(contents, openExternal));

  let win: BrowserWindow | null = null;
  let tray: Tray | null = null;
  let quitting = false;
  const keepAwake = new KeepAwake(powerSaveBlocker);

  const relay = (event: BackendEvent) => {
    if (event.type === 'keep-awake') keepAwake.set(event.active, event.reason);
    if (win && !win.isDestroyed()) win.webContents.send(eventChannel, event);
  };
  const backend = new BackendLink({
    entry: files.backendEntry,
    databasePath: databasePathFor(app.getPath('userData'), options.env),
    onEvent: relay,
    onExit: () => keepAwake.release(),
    log,
  });

  const openWindow = (): BrowserWindow => {
    if (win && !win.isDestroyed()) {
      if (win.isMinimized()) win.restore();
      win.show();
      win.focus();
      return win;
    }
    const created = new BrowserWindow({
      width: 1280,
      height: 840,
      minWidth: 800,
      minHeight: 600,
      show: false,
      title: 'Breadcast',
      icon: files.windowIcon,
      backgroundColor: '#fbf7f0',
      webPreferences: secureWebPreferences(files.preload, !app.isPackaged),
    });
    created.once('ready-to-show', () => {
      created.show();
      console.log(windowReadyMarker);
    });
    created.on('closed', () => {
      if (win === created) win = null;
    });
    win = created;
    void created.loadURL(appEntryUrl);
    return created;
  };

  const trainNow = async () => {
    const result = await backend.call(trainNowMethod, {});
    if (!result.ok) log(`Train now: ${result.error.message}`);
  };

  const quit = () => {
    quitting = true;
    app.quit();
  };

  app.on('second-instance', () => openWindow());
  app.on('activate', () => openWindow());
  // Closing the window leaves Breadcast in the tray so overnight jobs keep running.
  app.on('window-all-closed', () => {
    if (quitting) app.quit();
  });
  app.on('before-quit', () => {
    quitting = true;
  });
  let backendStopped = false;
  app.on('will-quit', (event) => {
    if (backendStopped) return;
    event.preventDefault();
    void backend.stop().finally(() => {
      backendStopped = true;
      keepAwake.release();
      app.quit();
    });
  });

  await app.whenReady();

  protocol.handle(appScheme, createAppProtocolHandler(files.rendererRoot));
  denyAllPermissions(session.defaultSession);
  enforceCspHeaders(session.defaultSession);
  registerApiIpc(ipcMain, (method, payload) => backend.call(method, payload), log);

  void backend.start();
  openWindow();
  tray = createTray(files.trayIcon, { open: () => void openWindow(), trainNow, quit });

  if (shouldAutoUpdate(app.isPackaged, options.env)) void startAutoUpdate(log);

  return {
    backend,
    keepAwake,
    window: () => win,
    tray: () => tray,
    openWindow,
    trainNow,
    quit,
  };
}

// Runs only as Electron's main process (the compiled dist/electron/main.cjs); tests import the
// module and call startShell themselves.
if (process.type === 'browser') {
  void startShell({ electronDist: __dirname, env: process.env }).catch((error: unknown) => {
    console.error(`[breadcast] The desktop shell failed to start: ${(error as Error).stack}`);
    app.exit(1);
  });
}
