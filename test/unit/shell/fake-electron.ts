// A stand-in for the `electron` module (its binary cannot run here). It records what the shell
// asks of Electron and behaves like Electron where our code depends on it: windows emit
// `web-contents-created`, MessageChannelMain is a real message channel, and a forked "utility
// process" runs the real backend-process code (real dispatcher, real SQLite) in this process.
import { EventEmitter } from 'node:events';
import { MessageChannel, type MessagePort } from 'node:worker_threads';
import { vi } from 'vitest';
import type { PortLike } from '../../../electron/shell/messages.ts';

type Listener = (...args: unknown[]) => void;

/** Node's MessagePort delivers the value; Electron's MessagePortMain delivers `{ data, ports }`. */
export function electronStylePort(port: MessagePort): PortLike & { raw: MessagePort } {
  return {
    raw: port,
    on(_event: 'message', listener: (message: { data: unknown }) => void) {
      port.on('message', (data: unknown) => listener({ data }));
      return this;
    },
    postMessage: (message: unknown) => port.postMessage(message),
    start: () => port.start(),
    close: () => port.close(),
  };
}

export class FakeWebContents extends EventEmitter {
  windowOpenHandler: ((details: { url: string }) => { action: string }) | null = null;
  readonly sent: Array<{ channel: string; args: unknown[] }> = [];
  setWindowOpenHandler(handler: (details: { url: string }) => { action: string }) {
    this.windowOpenHandler = handler;
  }
  send(channel: string, ...args: unknown[]) {
    this.sent.push({ channel, args });
  }
  /** Emits a navigation-style event the way Electron does; returns whether it was prevented. */
  attempt(event: string, url: string): boolean {
    let prevented = false;
    const details = { url, preventDefault: () => (prevented = true) };
    this.emit(event, details, url);
    return prevented;
  }
}

export class FakeUtilityProcess extends EventEmitter {
  readonly received: unknown[] = [];
  killed = false;
  constructor(
    readonly modulePath: string,
    readonly args: string[],
    readonly options: unknown,
  ) {
    super();
  }
  postMessage(message: unknown, ports: PortLike[] = []) {
    this.received.push(message);
    fake.onFork(this, message, ports);
  }
  kill() {
    this.killed = true;
    this.emit('exit', 143);
    return true;
  }
}

class FakeState {
  lock = true;
  isPackaged = false;
  userData = '/nonexistent/user-data';
  readonly app = new EventEmitter();
  readonly calls = {
    quit: 0,
    exit: [] as number[],
    enableSandbox: 0,
    privilegedSchemes: [] as unknown[],
    openExternal: [] as string[],
    powerStart: [] as string[],
    powerStop: [] as number[],
    trayIcons: [] as string[],
  };
  readonly windows: Array<{
    options: { webPreferences: Record<string, unknown> } & Record<string, unknown>;
    webContents: FakeWebContents;
    loaded: string[];
    shown: number;
    focused: number;
    destroyed: boolean;
    emitter: EventEmitter;
  }> = [];
  readonly ipcHandlers = new Map<string, Listener>();
  /** Every IPC listener main registers, as "<ipcMain method> <channel>". */
  readonly ipcRegistrations: string[] = [];
  readonly protocolHandlers = new Map<string, (request: Request) => Promise<Response>>();
  readonly session = {
    permissionRequest: null as null | Listener,
    permissionCheck: null as null | ((...args: unknown[]) => boolean),
    devicePermission: null as null | ((...args: unknown[]) => boolean),
    headersReceived: null as null | Listener,
  };
  readonly forks: FakeUtilityProcess[] = [];
  readonly trayMenus: Array<Array<{ label?: string; type?: string; click?: () => void }>> = [];
  readonly blockers = new Set<number>();
  /** Set by the test file: runs the backend side of a forked utility process. */
  onFork: (child: FakeUtilityProcess, message: unknown, ports: PortLike[]) => void = () => {};

  reset() {
    this.lock = true;
    this.isPackaged = false;
    this.app.removeAllListeners();
    for (const list of Object.values(this.calls)) if (Array.isArray(list)) list.length = 0;
    this.calls.quit = 0;
    this.calls.enableSandbox = 0;
    this.windows.length = 0;
    this.ipcHandlers.clear();
    this.ipcRegistrations.length = 0;
    this.protocolHandlers.clear();
    Object.assign(this.session, {
      permissionRequest: null,
      permissionCheck: null,
      devicePermission: null,
      headersReceived: null,
    });
    this.forks.length = 0;
    this.trayMenus.length = 0;
    this.blockers.clear();
  }
}

export const fake = new FakeState();
let nextBlocker = 1;

class BrowserWindow {
  readonly webContents = new FakeWebContents();
  readonly #record: FakeState['windows'][number];
  constructor(options: FakeState['windows'][number]['options']) {
    this.#record = {
      options,
      webContents: this.webContents,
      loaded: [],
      shown: 0,
      focused: 0,
      destroyed: false,
      emitter: new EventEmitter(),
    };
    fake.windows.push(this.#record);
    fake.app.emit('web-contents-created', {}, this.webContents);
  }
  loadURL(url: string) {
    this.#record.loaded.push(url);
    return Promise.resolve();
  }
  loadFile(path: string) {
    this.#record.loaded.push(`file://${path}`);
    return Promise.resolve();
  }
  on(event: string, listener: Listener) {
    this.#record.emitter.on(event, listener);
    return this;
  }
  once(event: string, listener: Listener) {
    this.#record.emitter.once(event, listener);
    return this;
  }
  show() {
    this.#record.shown++;
  }
  focus() {
    this.#record.focused++;
  }
  isMinimized() {
    return false;
  }
  restore() {}
  isDestroyed() {
    return this.#record.destroyed;
  }
  /** Test helper: what Electron does when the user closes the window. */
  close() {
    this.#record.destroyed = true;
    this.#record.emitter.emit('closed');
  }
}

export const electronModule = {
  app: {
    on: (event: string, listener: Listener) => fake.app.on(event, listener),
    once: (event: string, listener: Listener) => fake.app.once(event, listener),
    requestSingleInstanceLock: () => fake.lock,
    quit: () => {
      fake.calls.quit++;
    },
    exit: (code: number) => fake.calls.exit.push(code),
    enableSandbox: () => {
      fake.calls.enableSandbox++;
    },
    whenReady: () => Promise.resolve(),
    getPath: (name: string) => (name === 'userData' ? fake.userData : `/nonexistent/${name}`),
    get isPackaged() {
      return fake.isPackaged;
    },
  },
  BrowserWindow,
  ipcMain: {
    handle: (channel: string, listener: Listener) => {
      fake.ipcRegistrations.push(`handle ${channel}`);
      fake.ipcHandlers.set(channel, listener);
    },
    handleOnce: (channel: string) => fake.ipcRegistrations.push(`handleOnce ${channel}`),
    on: (channel: string) => fake.ipcRegistrations.push(`on ${channel}`),
    once: (channel: string) => fake.ipcRegistrations.push(`once ${channel}`),
  },
  protocol: {
    registerSchemesAsPrivileged: (schemes: unknown[]) =>
      fake.calls.privilegedSchemes.push(...schemes),
    handle: (scheme: string, handler: (request: Request) => Promise<Response>) =>
      fake.protocolHandlers.set(scheme, handler),
  },
  session: {
    defaultSession: {
      setPermissionRequestHandler: (handler: Listener) =>
        (fake.session.permissionRequest = handler),
      setPermissionCheckHandler: (handler: (...args: unknown[]) => boolean) =>
        (fake.session.permissionCheck = handler),
      setDevicePermissionHandler: (handler: (...args: unknown[]) => boolean) =>
        (fake.session.devicePermission = handler),
      webRequest: {
        onHeadersReceived: (handler: Listener) => (fake.session.headersReceived = handler),
      },
    },
  },
  shell: {
    openExternal: (url: string) => {
      fake.calls.openExternal.push(url);
      return Promise.resolve();
    },
  },
  powerSaveBlocker: {
    start: (type: string) => {
      fake.calls.powerStart.push(type);
      const id = nextBlocker++;
      fake.blockers.add(id);
      return id;
    },
    stop: (id: number) => {
      fake.calls.powerStop.push(id);
      fake.blockers.delete(id);
    },
    isStarted: (id: number) => fake.blockers.has(id),
  },
  Tray: class {
    constructor(image: { path: string }) {
      fake.calls.trayIcons.push(image.path);
    }
    setToolTip() {}
    setContextMenu(menu: Array<{ label?: string; click?: () => void }>) {
      fake.trayMenus.push(menu);
    }
    on() {}
  },
  Menu: { buildFromTemplate: (template: unknown[]) => template },
  nativeImage: { createFromPath: (path: string) => ({ path }) },
  utilityProcess: {
    fork: (modulePath: string, args: string[], options: unknown) => {
      const child = new FakeUtilityProcess(modulePath, args, options);
      fake.forks.push(child);
      return child;
    },
  },
  MessageChannelMain: class {
    readonly port1: PortLike;
    readonly port2: PortLike;
    constructor() {
      const channel = new MessageChannel();
      this.port1 = electronStylePort(channel.port1);
      this.port2 = electronStylePort(channel.port2);
    }
  },
  // Renderer-side modules, for the preload test.
  contextBridge: { exposeInMainWorld: vi.fn() },
  ipcRenderer: { invoke: vi.fn(), on: vi.fn(), removeListener: vi.fn() },
};
