// Boots the real desktop shell (electron/shell/main.ts) against the fake `electron` module.
// Test files using it must call `vi.mock('electron', ...)` themselves (mocks are per file).
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import type { ApiResult } from '../../../electron/api/contract/index.ts';
import { createBackend, type Backend } from '../../../electron/backend/backend.ts';
import { runBackendProcess } from '../../../electron/shell/backend-process.ts';
import { startShell, type ShellHandle } from '../../../electron/shell/main.ts';
import { fake } from './fake-electron.ts';

export type BootedShell = {
  handle: ShellHandle | null;
  dir: string;
  databasePath: string;
  electronDist: string;
  rendererRoot: string;
  /** Backends opened by forked "utility processes", in order. */
  backends: Backend[];
  logs: string[];
  /** Invokes the `breadcast:call` IPC handler as a frame at frameUrl would. */
  invoke(
    frameUrl: string | null,
    method: unknown,
    payload: unknown,
    parent?: unknown,
  ): Promise<ApiResult>;
  close(): Promise<void>;
};

export const secretText = 'the bakery owner’s private notes';

export async function bootShell(
  options: {
    env?: NodeJS.ProcessEnv;
    lock?: boolean;
    isPackaged?: boolean;
    /** False: a forked utility process receives its init message but runs no backend. */
    backend?: boolean;
  } = {},
): Promise<BootedShell> {
  fake.reset();
  fake.lock = options.lock ?? true;
  fake.isPackaged = options.isPackaged ?? false;
  const dir = mkdtempSync(join(tmpdir(), 'breadcast-shell-'));
  fake.userData = join(dir, 'user-data');
  const electronDist = join(dir, 'dist', 'electron');
  const rendererRoot = join(dir, 'dist', 'renderer');
  mkdirSync(join(rendererRoot, 'assets'), { recursive: true });
  mkdirSync(electronDist, { recursive: true });
  writeFileSync(join(rendererRoot, 'index.html'), '<!doctype html><title>Breadcast</title>');
  writeFileSync(join(rendererRoot, 'assets', 'app.js'), 'console.log("app")');
  // Files a path traversal would reach: beside and above the served folder.
  writeFileSync(join(dir, 'dist', 'secret.txt'), secretText);
  writeFileSync(join(dir, 'secret.txt'), secretText);
  const databasePath = join(dir, 'bakery.sqlite');

  const backends: Backend[] = [];
  fake.onFork = (child, message, ports) => {
    if (options.backend === false) return;
    runBackendProcess(
      { once: (_event, listener) => listener({ data: message, ports }) },
      (init) => {
        const backend = createBackend({
          databasePath: init.databasePath,
          transport: 'electron',
          log: pino({ level: 'silent' }),
        });
        backends.push(backend);
        return backend;
      },
      (code) => setImmediate(() => child.emit('exit', code)),
    );
  };

  const logs: string[] = [];
  const handle = await startShell({
    electronDist,
    env: { BREADCAST_DB: databasePath, ...options.env },
    log: (line) => logs.push(line),
  });

  return {
    handle,
    dir,
    databasePath,
    electronDist,
    rendererRoot,
    backends,
    logs,
    invoke(frameUrl, method, payload, parent = null) {
      const handler = fake.ipcHandlers.get('breadcast:call');
      if (!handler) throw new Error('no breadcast:call handler registered');
      const senderFrame = frameUrl === null ? null : { url: frameUrl, parent };
      return Promise.resolve(handler({ senderFrame }, method, payload) as unknown as ApiResult);
    },
    async close() {
      await handle?.backend.stop(1000);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export function appRequest(url: string, method = 'GET'): Request {
  return new Request(url, { method });
}
