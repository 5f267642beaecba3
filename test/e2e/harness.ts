import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import type {
  ApiResult,
  MethodInput,
  MethodName,
  MethodOutput,
} from '../../electron/api/contract/index.ts';

export const projectRoot = new URL('../..', import.meta.url).pathname;
export const artifactsDir = join(projectRoot, 'test-results');

export function freshDir(prefix = 'breadcast-e2e-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

export type RunningCli = { child: ChildProcess; output: () => string; stop(): Promise<void> };

/**
 * Starts `breadcast <args>` as a real child process and waits until a line of its stdout matches,
 * returning the match. The process is the same one a user starts, so nothing is mocked.
 */
export async function startCli(
  args: string[],
  ready: RegExp,
  env: NodeJS.ProcessEnv = {},
  timeoutMs = 120_000,
): Promise<{ cli: RunningCli; match: RegExpMatchArray }> {
  const child = spawn(process.execPath, [join(projectRoot, 'bin/breadcast.mjs'), ...args], {
    cwd: projectRoot,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let log = '';
  const cli: RunningCli = {
    child,
    output: () => log,
    stop: () =>
      new Promise((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGINT');
        setTimeout(() => child.kill('SIGKILL'), 10_000).unref();
      }),
  };
  const match = await new Promise<RegExpMatchArray>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`timed out waiting for ${ready}; output:\n${log}`)),
      timeoutMs,
    );
    const onData = (chunk: Buffer) => {
      log += chunk.toString();
      const found = log.match(ready);
      if (found) {
        clearTimeout(timer);
        resolve(found);
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', (chunk: Buffer) => (log += chunk.toString()));
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`breadcast ${args.join(' ')} exited with ${code}; output:\n${log}`));
    });
  });
  return { cli, match };
}

export async function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--no-first-run',
      '--disable-quic',
      '--disable-sync',
    ],
  });
}

export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(artifactsDir, { recursive: true });
  const path = join(artifactsDir, `${name}.png`);
  await page.screenshot({ path, fullPage: true });
  return path;
}

/** Builds a Vite app from the tree as it is now, so the test sees the current screens. */
export async function buildUi(app: 'renderer' | 'coordinator/dashboard'): Promise<void> {
  const { build } = await import('vite');
  await build({ configFile: join(projectRoot, app, 'vite.config.ts'), logLevel: 'warn' });
}

/** Fills and submits the operator dashboard's login form. */
export async function submitOperatorLogin(page: Page, name: string, password: string) {
  await page.getByLabel('Operator name').fill(name);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Log in' }).click();
}

export type RunningDemo = {
  cli: RunningCli;
  dashboard: string;
  operator: string;
  password: string;
  app: string;
};

/** `breadcast demo` in a fresh folder, once it prints its URLs and the operator's login. */
export async function startDemoCli(): Promise<RunningDemo> {
  const { cli, match } = await startCli(
    ['demo', '--dir', join(freshDir('breadcast-demo-'), 'demo')],
    /Dashboard:\s+(\S+)\s+Operator:\s+(\S+) \/ (\S+)\s+Bakery app:\s+(\S+)/,
  );
  const [, dashboard = '', operator = '', password = '', app = ''] = match;
  return { cli, dashboard, operator, password, app };
}

/** Switches the bakery app's screen as its navigation does (the session secret stays in memory). */
export async function showScreen(page: Page, screen: string): Promise<void> {
  await page.evaluate((name) => (location.hash = `#/${name}`), screen);
}

/**
 * Answers the first-run location question through the API, for tests about something else,
 * then reloads so the app opens on its screens.
 */
export async function answerLocation(
  page: Page,
  holidayRegion: { country: string; state: string | null } = { country: 'DE', state: 'NW' },
): Promise<void> {
  const answer = await page.evaluate(async (region) => {
    const secret = sessionStorage.getItem('breadcast.secret') ?? '';
    const response = await fetch('/api/settings.set', {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${secret}` },
      body: JSON.stringify({ holidayRegion: region }),
    });
    return (await response.json()) as { ok: boolean };
  }, holidayRegion);
  if (!answer.ok) throw new Error(`settings.set refused: ${JSON.stringify(answer)}`);
  await page.reload();
  await page.getByTestId('app-info').waitFor();
}

/** Calls the bakery backend the way the page does: same origin, the launch secret from the session. */
export async function callApi<M extends MethodName>(
  page: Page,
  method: M,
  input: MethodInput<M>,
): Promise<MethodOutput<M>> {
  const result = await page.evaluate(
    async ([name, body]) => {
      const secret = sessionStorage.getItem('breadcast.secret') ?? '';
      const response = await fetch(`/api/${name}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${secret}` },
        body: JSON.stringify(body),
      });
      return (await response.json()) as ApiResult;
    },
    [method, input] as const,
  );
  if (!result.ok) throw new Error(result.error.message);
  return result.value as MethodOutput<M>;
}
