// `breadcast start` as a user runs it (the real CLI in a child process): where Electron cannot
// start it says why in one line and opens browser mode; where it starts, no browser mode.
// ELECTRON_OVERRIDE_DIST_PATH (honoured by the electron package) points the launcher at a
// folder of our choosing, so each case behaves the same on every machine.
import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { startDatabasePath } from '../../cli/commands/start.ts';

const projectRoot = fileURLToPath(new URL('../..', import.meta.url));
const fallbackLine = /^Electron could not start \((.+)\); opening browser mode instead\.$/;
const urlLine = /^Breadcast is open in browser mode: (http:\/\/127\.0\.0\.1:\d+\/#secret=\S+)$/;

type Run = {
  child: ChildProcess;
  lines: string[];
  stderr: () => string;
  exited: Promise<number | null>;
};
const running: Run[] = [];
const dirs: string[] = [];

function freshDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  dirs.push(dir);
  return dir;
}

function startCli(args: string[], env: NodeJS.ProcessEnv): Run {
  const base = { ...process.env };
  delete base.DISPLAY;
  delete base.WAYLAND_DISPLAY;
  delete base.BREADCAST_DB;
  const child = spawn(
    process.execPath,
    [join(projectRoot, 'bin/breadcast.mjs'), 'start', ...args],
    {
      cwd: projectRoot,
      env: { ...base, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  const lines: string[] = [];
  let buffer = '';
  let stderr = '';
  child.stdout!.on('data', (chunk: Buffer) => {
    buffer += chunk.toString();
    const parts = buffer.split('\n');
    buffer = parts.pop()!;
    lines.push(...parts);
  });
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  const run = { child, lines, stderr: () => stderr, exited };
  running.push(run);
  return run;
}

async function waitForLine(
  run: Run,
  pattern: RegExp,
  timeoutMs = 120_000,
): Promise<RegExpMatchArray> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    for (const line of run.lines) {
      const match = line.match(pattern);
      if (match) return match;
    }
    if (run.child.exitCode !== null || Date.now() > deadline) {
      throw new Error(
        `no line matching ${pattern}; stdout:\n${run.lines.join('\n')}\nstderr:\n${run.stderr()}`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** A stand-in Electron binary: a shell script that behaves as told and records how it was run. */
function fakeElectron(script: string): { dist: string; record: string } {
  const dist = freshDir('breadcast-fake-electron-');
  const record = join(dist, 'record.txt');
  writeFileSync(
    join(dist, 'electron'),
    `#!/bin/sh\necho "$1|$BREADCAST_DB" > "${record}"\n${script}\n`,
  );
  chmodSync(join(dist, 'electron'), 0o755);
  return { dist, record };
}

afterEach(async () => {
  for (const run of running.splice(0)) {
    if (run.child.exitCode === null) {
      run.child.kill('SIGINT');
      const timer = setTimeout(() => run.child.kill('SIGKILL'), 10_000);
      await run.exited;
      clearTimeout(timer);
    }
  }
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe('breadcast start', () => {
  it('says in one line why Electron cannot start, then serves browser mode on the default database', async () => {
    const home = freshDir('breadcast-home-');
    const noBinary = freshDir('breadcast-no-electron-');
    const run = startCli(['--port', '0'], {
      BREADCAST_HOME: home,
      ELECTRON_OVERRIDE_DIST_PATH: noBinary,
    });
    const [, url] = await waitForLine(run, urlLine);
    const reasons = run.lines.filter((line) => fallbackLine.test(line));
    expect(reasons).toHaveLength(1);
    expect(reasons[0]).toMatch(/its binary is missing at /);
    expect(run.lines.indexOf(reasons[0]!)).toBeLessThan(
      run.lines.findIndex((l) => urlLine.test(l)),
    );

    // Browser mode is real: the API answers with the printed secret, on the default database.
    const secret = new URL(url!).hash.replace('#secret=', '');
    const response = await fetch(new URL('/api/app.info', url), {
      method: 'POST',
      headers: { authorization: `Bearer ${secret}`, 'content-type': 'application/json' },
      body: '{}',
    });
    expect(await response.json()).toMatchObject({
      ok: true,
      value: { transport: 'http', databasePath: join(home, 'demo.sqlite') },
    });
    expect(existsSync(join(home, 'demo.sqlite'))).toBe(true);
  });

  it('falls back with the reason when Electron exits before its window shows', async () => {
    const electron = fakeElectron('echo "[1:ERROR] Missing X server or \\$DISPLAY" >&2\nexit 1');
    const db = join(freshDir('breadcast-db-'), 'bakery.sqlite');
    const run = startCli(['--port', '0', '--db', db], {
      ELECTRON_OVERRIDE_DIST_PATH: electron.dist,
      DISPLAY: ':99',
    });
    await waitForLine(run, urlLine);
    const [reason] = run.lines.filter((line) => fallbackLine.test(line));
    expect(reason).toBe(
      'Electron could not start (it exited with code 1: [1:ERROR] Missing X server or $DISPLAY); opening browser mode instead.',
    );
    // Electron was given this checkout as its app and the chosen database.
    const [appArg, dbArg] = readFileSync(electron.record, 'utf8').trim().split('|');
    expect(resolve(appArg!)).toBe(resolve(projectRoot));
    expect(dbArg).toBe(db);
  });

  it('does not try a window without a display', async () => {
    const electron = fakeElectron('echo breadcast:window-ready\nsleep 30');
    const run = startCli(['--port', '0', '--db', join(freshDir('breadcast-db-'), 'b.sqlite')], {
      ELECTRON_OVERRIDE_DIST_PATH: electron.dist,
    });
    await waitForLine(run, urlLine);
    expect(run.lines.find((line) => fallbackLine.test(line))).toMatch(/no graphical display/);
    expect(existsSync(electron.record)).toBe(false);
  });

  it('stays in desktop mode once the Electron window shows, and stops Electron on Ctrl-C', async () => {
    const electron = fakeElectron(
      'trap "exit 0" TERM\necho breadcast:window-ready\nwhile true; do sleep 0.1; done',
    );
    const run = startCli(['--port', '0', '--db', join(freshDir('breadcast-db-'), 'b.sqlite')], {
      ELECTRON_OVERRIDE_DIST_PATH: electron.dist,
      DISPLAY: ':99',
    });
    await waitForLine(run, /^Breadcast is open in its desktop window \(Electron\)/);
    expect(run.lines.some((line) => fallbackLine.test(line) || urlLine.test(line))).toBe(false);
    run.child.kill('SIGINT');
    expect(await run.exited).toBe(0);
  });

  it('--browser skips Electron without a fallback message', async () => {
    const run = startCli(
      ['--browser', '--port', '0', '--db', join(freshDir('breadcast-db-'), 'b.sqlite')],
      {},
    );
    await waitForLine(run, urlLine);
    expect(run.lines.some((line) => fallbackLine.test(line))).toBe(false);
  });
});

describe('the database start opens', () => {
  it('is --db, else BREADCAST_DB, else BREADCAST_HOME/demo.sqlite, else ~/.breadcast/demo.sqlite', () => {
    expect(startDatabasePath('/x/a.sqlite', { BREADCAST_DB: '/y/b.sqlite' })).toBe('/x/a.sqlite');
    expect(
      startDatabasePath(undefined, { BREADCAST_DB: '/y/b.sqlite', BREADCAST_HOME: '/h' }),
    ).toBe('/y/b.sqlite');
    expect(startDatabasePath(undefined, { BREADCAST_HOME: '/h' })).toBe('/h/demo.sqlite');
    expect(startDatabasePath(undefined, {})).toMatch(/\.breadcast\/demo\.sqlite$/);
  });
});
