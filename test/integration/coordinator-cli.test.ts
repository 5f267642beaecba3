import { spawn, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { tempDir } from './coordinator-harness.ts';

const bin = fileURLToPath(new URL('../../bin/breadcast.mjs', import.meta.url));

describe('breadcast coordinator', () => {
  it('creates an operator from stdin, serves /health with the shared model as version 1, and stops cleanly on SIGTERM', async () => {
    const db = join(tempDir('breadcast-cli-'), 'c.db');
    const env = { ...process.env, BREADCAST_OPERATOR_PASSWORD: '' };
    const created = spawnSync(
      process.execPath,
      [bin, 'coordinator', '--db', db, '--create-operator', 'alice'],
      {
        input: 'a long enough password\n',
        env,
        encoding: 'utf8',
      },
    );
    expect(created.stdout).toContain('Operator "alice" created.');
    expect(created.status).toBe(0);
    const short = spawnSync(
      process.execPath,
      [bin, 'coordinator', '--db', db, '--create-operator', 'bob'],
      { input: 'short\n', env, encoding: 'utf8' },
    );
    expect(short.status).toBe(2);
    expect(short.stderr).toMatch(/at least 12 characters/);

    const child = spawn(process.execPath, [bin, 'coordinator', '--db', db, '--port', '0'], {
      env: { ...process.env, BREADCAST_COORDINATOR_LOG_LEVEL: 'warn' },
    });
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    const address = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no address in: ${out}`)), 120_000);
      child.stdout.on('data', () => {
        const match = /listening on (http:\/\/\S+)/.exec(out);
        if (match) {
          clearTimeout(timer);
          resolve(match[1]!);
        }
      });
    });
    expect(out).not.toContain('No operator yet');
    const health = (await (await fetch(`${address}/health`)).json()) as { status: string };
    expect(health.status).toBe('ok');
    const login = await fetch(`${address}/v1/operator/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'alice', password: 'a long enough password' }),
    });
    expect(login.status).toBe(200);
    const cookie = login.headers.get('set-cookie')!.split(';')[0]!;
    const models = (await (
      await fetch(`${address}/v1/operator/models`, { headers: { cookie } })
    ).json()) as { models: { version: number; parameterCount: number }[] };
    expect(models.models).toHaveLength(1);
    expect(models.models[0]!.parameterCount).toBeGreaterThan(100);
    const exit = new Promise<number | null>((resolve) => child.on('exit', resolve));
    child.kill('SIGTERM');
    expect(await exit).toBe(0);
  });

  it('rejects bad configuration in one line', () => {
    const result = spawnSync(
      process.execPath,
      [bin, 'coordinator', '--port', '80000', '--db', 'x.db'],
      { encoding: 'utf8' },
    );
    expect(result.status).toBe(2);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toMatch(/port/);
  });
});
