import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { createOperator } from '../../coordinator/operator/accounts.ts';
import { ensureInitialModel } from '../../coordinator/rounds/initial-model.ts';
import { openCoordinatorStore } from '../../coordinator/store/database.ts';
import { silentLog } from '../integration/coordinator-harness.ts';

export const projectRoot = fileURLToPath(new URL('../../', import.meta.url));
export const operatorName = 'ops';
export const operatorPassword = 'correct horse battery';

/**
 * Prepares a coordinator database (a SQLite file or a postgres:// URL) before any process
 * serves it: a 9-parameter version 1 (the
 * harness's linear trainer) instead of the TF.js network, so a child starts in a second, and an
 * operator account.
 */
export async function seedCoordinatorDb(path: string, parameters = 9): Promise<void> {
  const store = await openCoordinatorStore(path);
  try {
    await ensureInitialModel(store, () => new Float32Array(parameters), silentLog, new Date());
    if (!(await store.get('SELECT 1 AS found FROM operators WHERE name = ?', [operatorName])))
      await createOperator(store, operatorName, operatorPassword);
  } finally {
    await store.close();
  }
}

export type CoordinatorProcess = {
  child: ChildProcess;
  url: string;
  port: number;
  /** SIGKILL: no shutdown hook runs, as in a power cut of the process. */
  kill(): Promise<void>;
};

/**
 * Starts the shipped CLI (`node bin/breadcast.mjs coordinator`) as a real child process; it
 * serves plain and secure rounds, the operator's settings pick the mode.
 */
export async function spawnCoordinator(
  db: string,
  options: { port?: number } = {},
): Promise<CoordinatorProcess> {
  const port = String(options.port ?? 0);
  const args = ['bin/breadcast.mjs', 'coordinator', '--port', port, '--database', db];
  const child = spawn(process.execPath, args, {
    cwd: projectRoot,
    env: { ...process.env, BREADCAST_COORDINATOR_LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`coordinator did not start:\n${output}`)),
      120_000,
    );
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const match = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]!);
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`coordinator exited (${code}) before listening:\n${output}`));
    });
  });
  return {
    child,
    url,
    port: Number(new URL(url).port),
    kill: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGKILL');
      }),
  };
}

/** An operator session over HTTP against any coordinator URL (cookie + CSRF token). */
export async function loginOperator(url: string) {
  const login = async () => {
    const response = await fetch(`${url}/v1/operator/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: operatorName, password: operatorPassword }),
    });
    if (!response.ok) throw new Error(`login failed: ${response.status} ${await response.text()}`);
    const cookie = response.headers.get('set-cookie')!.split(';')[0]!;
    const { csrfToken } = (await response.json()) as { csrfToken: string };
    return { cookie, csrfToken };
  };
  const session = await login();
  const call = async (method: string, path: string, body?: unknown) => {
    // A restarted coordinator drops keep-alive sockets once: try again.
    for (let attempt = 1; ; attempt++) {
      try {
        const r = await fetch(`${url}${path}`, {
          method,
          headers: {
            cookie: session.cookie,
            'x-csrf-token': session.csrfToken,
            ...(body === undefined ? {} : { 'content-type': 'application/json' }),
          },
          body: body === undefined ? undefined : JSON.stringify(body),
        });
        const text = await r.text();
        return {
          status: r.status,
          body: text ? (JSON.parse(text) as Record<string, unknown>) : {},
        };
      } catch (error) {
        if (attempt >= 3) throw error;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    }
  };
  return { ...session, call };
}
export type OperatorCalls = Awaited<ReturnType<typeof loginOperator>>;
