import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { createBackend } from '../../electron/backend/backend.ts';
import { startHttpBridge } from '../../electron/bridge/http-bridge.ts';
import { optionalNumber, type Command, type CommandIO } from '../command.ts';
import { projectRoot, rendererConfig, rendererDist } from '../paths.ts';
import { untilInterrupted } from '../shutdown.ts';
import { ensureUiBuilt } from '../ui-build.ts';
import { shopCommand } from './shop.ts';

/** Printed by the Electron main process once its window shows (electron/shell/main.ts). */
const windowReadyMarker = 'breadcast:window-ready';
const electronDist = join(projectRoot, 'dist', 'electron');
const electronEntries = ['main.cjs', 'preload.cjs', 'backend-process.cjs'];

/**
 * The database `breadcast start` opens: --db, else BREADCAST_DB, else
 * `$BREADCAST_HOME/demo.sqlite` (BREADCAST_HOME defaults to ~/.breadcast).
 */
export function startDatabasePath(db: string | undefined, env: NodeJS.ProcessEnv): string {
  if (db) return db;
  if (env.BREADCAST_DB?.trim()) return env.BREADCAST_DB.trim();
  return join(env.BREADCAST_HOME?.trim() || join(homedir(), '.breadcast'), 'demo.sqlite');
}

/**
 * Makes the database `start` will open ready to use: a first start on the default demo path
 * seeds the demo bakery (one store of the shipped chain data) so there is something to look at;
 * a database the user named is opened as it is (the backend creates an empty one).
 */
export async function prepareStartDatabase(
  path: string,
  io: CommandIO,
  options: { seedDemo: boolean },
): Promise<void> {
  mkdirSync(dirname(path), { recursive: true });
  if (!options.seedDemo || existsSync(path)) return;
  io.err(`Creating the demo bakery at ${path} from the shipped chain data…`);
  const { createDemoDatabase } = await import('../../electron/logs/demo.ts');
  const { db } = await createDemoDatabase(path, { moveToRecent: true });
  db.close();
}

export type ElectronBinary = { ok: true; binary: string } | { ok: false; reason: string };

/**
 * Finds the Electron binary the way the `electron` package does (its index.js downloads it on
 * first use), in a child process so the download's own noise stays out of our output.
 */
export function locateElectron(env: NodeJS.ProcessEnv): ElectronBinary {
  const probe = spawnSync(process.execPath, ['-e', 'process.stdout.write(require("electron"))'], {
    cwd: projectRoot,
    env,
    encoding: 'utf8',
    timeout: 10 * 60_000,
  });
  if (probe.error) return { ok: false, reason: `its launcher failed: ${probe.error.message}` };
  const stderr = probe.stderr ?? '';
  if (probe.status !== 0) {
    if (/Cannot find module 'electron'/.test(stderr)) {
      return { ok: false, reason: 'the electron package is not installed: run `npm install`' };
    }
    // The download's own error ("TypeError: fetch failed", "getaddrinfo ENOTFOUND …") says why.
    const cause = stderr
      .split('\n')
      .map((line) => line.trim())
      .find((line) => /^\w*Error\b/.test(line) && !/failed to install correctly/.test(line));
    return {
      ok: false,
      reason: `its binary is not downloaded and fetching it failed${cause ? `: ${cause}` : ''}`,
    };
  }
  const binary = probe.stdout.trim();
  if (!existsSync(binary)) return { ok: false, reason: `its binary is missing at ${binary}` };
  return { ok: true, binary };
}

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile() && entry.name.endsWith('.ts')) {
      newest = Math.max(newest, statSync(join(entry.parentPath, entry.name)).mtimeMs);
    }
  }
  return newest;
}

/** Compiles dist/electron when it is missing or older than the sources it is built from. */
function ensureElectronBuilt(io: CommandIO): void {
  const outputs = electronEntries.map((name) => join(electronDist, name));
  const built = outputs.every((file) => existsSync(file))
    ? Math.min(...outputs.map((file) => statSync(file).mtimeMs))
    : 0;
  const sources = Math.max(
    newestMtime(join(projectRoot, 'electron')),
    newestMtime(join(projectRoot, 'federated')),
  );
  if (built > sources) return;
  io.err('Compiling the Electron shell (dist/electron)…');
  const result = spawnSync(process.execPath, [join(projectRoot, 'build/compile-electron.mjs')], {
    cwd: projectRoot,
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  if (result.status !== 0) throw new Error('Compiling the Electron shell failed (see above).');
}

export type ElectronRun =
  { started: true; exitCode: Promise<number> } | { started: false; reason: string };

/**
 * Spawns Electron on this checkout and waits until its window shows. Anything that stops it
 * first (no display, a crash, no window within the timeout) becomes a one-line reason.
 */
export function runElectron(
  binary: string,
  env: NodeJS.ProcessEnv,
  io: CommandIO,
  readyTimeoutMs = 60_000,
): Promise<ElectronRun> {
  const childEnv = { ...env };
  // Would turn the binary into plain Node and ignore the app.
  delete childEnv.ELECTRON_RUN_AS_NODE;
  const child = spawn(binary, [projectRoot], {
    cwd: projectRoot,
    env: childEnv,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderrTail = '';
  let stdoutBuffer = '';
  let ready = false;
  return new Promise((resolve) => {
    const fail = (reason: string) => {
      clearTimeout(timer);
      if (child.exitCode === null) child.kill('SIGKILL');
      resolve({ started: false, reason });
    };
    const timer = setTimeout(
      () => fail(`its window did not open within ${readyTimeoutMs / 1000} s`),
      readyTimeoutMs,
    );
    const exitCode = new Promise<number>((done) => {
      child.once('exit', (code, signal) => {
        if (!ready) {
          const last = stderrTail.trim().split('\n').filter(Boolean).at(-1)?.trim();
          fail(`it exited with ${signal ?? `code ${code}`}${last ? `: ${last}` : ''}`);
        }
        done(code ?? 1);
      });
    });
    child.once('error', (error) => fail(`its binary could not be run: ${error.message}`));
    child.stderr.on('data', (chunk: Buffer) => {
      if (ready) process.stderr.write(chunk);
      else stderrTail = (stderrTail + chunk.toString()).slice(-2000);
    });
    child.stdout.on('data', (chunk: Buffer) => {
      if (ready) return void process.stdout.write(chunk);
      stdoutBuffer += chunk.toString();
      if (stdoutBuffer.split('\n').some((line) => line.trim() === windowReadyMarker)) {
        ready = true;
        clearTimeout(timer);
        void untilInterrupted().then(() => child.kill('SIGTERM'));
        io.out('Breadcast is open in its desktop window (Electron). Close it from the tray menu.');
        resolve({ started: true, exitCode });
      }
    });
  });
}

/** Tries the desktop app; returns its exit code, or the reason it could not start. */
async function tryElectron(
  databasePath: string,
  io: CommandIO,
): Promise<{ exitCode: number } | { reason: string }> {
  const located = locateElectron(process.env);
  if (!located.ok) return { reason: located.reason };
  if (process.platform === 'linux' && !process.env.DISPLAY && !process.env.WAYLAND_DISPLAY) {
    return { reason: 'there is no graphical display: DISPLAY and WAYLAND_DISPLAY are not set' };
  }
  ensureElectronBuilt(io);
  await ensureUiBuilt(rendererConfig, rendererDist, io.err);
  const run = await runElectron(located.binary, { ...process.env, BREADCAST_DB: databasePath }, io);
  if (!run.started) return { reason: run.reason };
  return { exitCode: await run.exitCode };
}

/** `--dev`: the renderer from Vite's dev server (hot reload) in the browser, API from the bridge. */
async function runDev(databasePath: string, port: number, io: CommandIO): Promise<number> {
  const backend = createBackend({ databasePath, transport: 'http' });
  // The bridge serves the API only here; Vite serves the pages.
  const emptyStatic = mkdtempSync(join(tmpdir(), 'breadcast-dev-'));
  const bridge = await startHttpBridge({ backend, port: 0, staticDir: emptyStatic });
  const { createServer } = await import('vite');
  const target = new URL(bridge.url).origin;
  const vite = await createServer({
    configFile: rendererConfig,
    server: { host: '127.0.0.1', port, strictPort: false, proxy: { '/api': { target } } },
  });
  await vite.listen();
  const address = vite.httpServer?.address();
  const vitePort = typeof address === 'object' && address ? address.port : port;
  const interrupted = untilInterrupted();
  io.out(
    `Breadcast (dev, hot reload) is open in browser mode: http://127.0.0.1:${vitePort}/#secret=${bridge.secret}`,
  );
  await interrupted;
  await vite.close();
  await bridge.close();
  backend.close();
  rmSync(emptyStatic, { recursive: true, force: true });
  return 0;
}

export const startCommand: Command = {
  name: 'start',
  summary:
    'Open the bakery app: the Electron desktop window, or browser mode where Electron cannot start.',
  options: {
    db: {
      type: 'string',
      value: 'FILE',
      description:
        'The bakery database. Default: $BREADCAST_DB, else $BREADCAST_HOME/demo.sqlite (~/.breadcast).',
    },
    port: {
      type: 'string',
      value: 'N',
      description: 'Port on 127.0.0.1 for browser mode (0 picks a free one). Default 5180.',
    },
    browser: { type: 'boolean', description: 'Skip Electron and open browser mode directly.' },
    dev: {
      type: 'boolean',
      description:
        'Development: browser mode with the renderer on the Vite dev server (hot reload).',
    },
  },
  async run(options, io) {
    const port = optionalNumber(options, 'port', { integer: true, min: 0, max: 65535 });
    const databasePath = startDatabasePath(
      typeof options.db === 'string' ? options.db : undefined,
      process.env,
    );
    await prepareStartDatabase(databasePath, io, {
      seedDemo: typeof options.db !== 'string' && !process.env.BREADCAST_DB?.trim(),
    });
    if (options.dev) return runDev(databasePath, port ?? 5173, io);
    if (!options.browser) {
      const electron = await tryElectron(databasePath, io);
      if ('exitCode' in electron) return electron.exitCode;
      io.out(`Electron could not start (${electron.reason}); opening browser mode instead.`);
    }
    return shopCommand.run({ db: databasePath, port: String(port ?? 5180) }, io);
  },
};
