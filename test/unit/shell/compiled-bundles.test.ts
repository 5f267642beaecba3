// Builds the real Electron bundles (build/compile-electron.mjs) and runs the compiled backend
// utility process in a worker thread, its parentPort stood in for by the worker's port: this is
// the same file Electron forks, answering over a real MessagePort.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { MessageChannel, Worker } from 'node:worker_threads';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkIntegrity, openDatabase } from '../../../electron/store/database.ts';

const projectRoot = fileURLToPath(new URL('../../..', import.meta.url));
let outDir: string;

beforeAll(() => {
  // Inside the checkout (dist/ is ignored) so the bundles resolve node_modules and package.json
  // exactly as they do from dist/electron.
  mkdirSync(join(projectRoot, 'dist'), { recursive: true });
  outDir = mkdtempSync(join(projectRoot, 'dist', 'test-bundles-'));
  execFileSync(process.execPath, [join(projectRoot, 'build/compile-electron.mjs'), outDir], {
    cwd: projectRoot,
    stdio: 'pipe',
  });
});
afterAll(() => rmSync(outDir, { recursive: true, force: true }));

const requiresOf = (file: string) =>
  [...readFileSync(join(outDir, file), 'utf8').matchAll(/require\("([^"]+)"\)/g)].map((m) => m[1]);

describe('compiled bundles', () => {
  it('the sandboxed preload needs nothing but electron', () => {
    expect([...new Set(requiresOf('preload.cjs'))]).toEqual(['electron']);
  });

  it('the main process bundle carries no database or backend code', () => {
    const requires = requiresOf('main.cjs');
    expect(requires).toContain('electron');
    expect(requires).not.toContain('better-sqlite3');
    expect(requires).not.toContain('pino');
    expect(readFileSync(join(outDir, 'main.cjs'), 'utf8')).not.toMatch(/openMigratedDatabase/);
    expect(requiresOf('backend-process.cjs')).toContain('better-sqlite3');
  });

  it('the backend utility process answers over a MessagePort and shuts down cleanly', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'breadcast-bundle-db-'));
    const databasePath = join(dataDir, 'bakery.sqlite');
    const worker = new Worker(
      `
      const { parentPort } = require('node:worker_threads');
      const electronStyle = (port) => ({
        on: (_event, listener) => port.on('message', (data) => listener({ data })),
        postMessage: (message) => port.postMessage(message),
        start: () => port.start(),
        close: () => port.close(),
      });
      process.parentPort = {
        once: (_event, listener) =>
          parentPort.once('message', ({ init, port }) =>
            listener({ data: init, ports: [electronStyle(port)] })),
      };
      require(${JSON.stringify(join(outDir, 'backend-process.cjs'))});
      `,
      { eval: true, stdout: true },
    );
    const exited = new Promise<number>((resolve) => worker.once('exit', resolve));
    const { port1, port2 } = new MessageChannel();
    const messages: Array<Record<string, unknown>> = [];
    const next = (kind: string) =>
      new Promise<Record<string, unknown>>((resolve, reject) => {
        const deadline = Date.now() + 10_000;
        const look = () => {
          if (Date.now() > deadline)
            return reject(new Error(`no ${kind} message from the backend`));
          const index = messages.findIndex((m) => m.kind === kind);
          if (index >= 0) resolve(messages.splice(index, 1)[0]!);
          else setTimeout(look, 5);
        };
        look();
      });
    port1.on('message', (message: Record<string, unknown>) => messages.push(message));
    worker.postMessage({ init: { kind: 'init', databasePath }, port: port2 }, [port2]);

    expect(await next('ready')).toEqual({ kind: 'ready' });
    port1.postMessage({ kind: 'call', id: 1, method: 'app.info', payload: {} });
    expect(await next('result')).toMatchObject({
      id: 1,
      result: { ok: true, value: { transport: 'electron', databasePath } },
    });
    port1.postMessage({ kind: 'call', id: 2, method: 'app.info', payload: { sneaky: true } });
    expect(await next('result')).toMatchObject({
      id: 2,
      result: { ok: false, error: { code: 'bad-request' } },
    });
    port1.postMessage({ kind: 'shutdown' });
    expect(await exited).toBe(0);
    port1.close();

    const db = openDatabase(databasePath);
    expect(() => checkIntegrity(db)).not.toThrow();
    db.close();
    rmSync(dataDir, { recursive: true, force: true });
  });
});
