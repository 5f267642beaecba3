import { execFile } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/**
 * Where PostgreSQL's programs are: BREADCAST_POSTGRES_BIN, else the newest of Debian's
 * /usr/lib/postgresql/<version>/bin, else null (then they are looked up on the PATH). pg_dump
 * must be at least as new as the server, so the newest installed one is the right pick.
 */
export function postgresBinDir(): string | null {
  const fromEnv = process.env.BREADCAST_POSTGRES_BIN;
  if (fromEnv) return fromEnv;
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return null;
  const versions = readdirSync(root)
    .filter((v) => existsSync(join(root, v, 'bin', 'pg_dump')))
    .sort((a, b) => Number(b) - Number(a));
  return versions[0] ? join(root, versions[0], 'bin') : null;
}

/**
 * Runs a PostgreSQL client program (pg_dump, pg_restore), against a database URL when given. The
 * password travels in the environment, never on the command line where other users of the
 * machine could read it.
 */
export async function runPostgresClient(
  tool: 'pg_dump' | 'pg_restore',
  url: string | null,
  args: string[],
): Promise<string> {
  let password = '';
  const target: string[] = [];
  if (url !== null) {
    const parsed = new URL(url);
    password = decodeURIComponent(parsed.password);
    parsed.password = '';
    target.push(`--dbname=${parsed.toString()}`);
  }
  const dir = postgresBinDir();
  const program = dir ? join(dir, tool) : tool;
  try {
    const { stdout } = await run(program, [...args, ...target], {
      env: { ...process.env, ...(password ? { PGPASSWORD: password } : {}) },
      maxBuffer: 64 * 1024 * 1024,
      encoding: 'utf8',
    });
    return stdout;
  } catch (error) {
    const e = error as { code?: string; stderr?: string; message: string };
    if (e.code === 'ENOENT')
      throw new Error(
        `${tool} is not installed: install PostgreSQL's client programs (Debian: postgresql-client) ` +
          'or set BREADCAST_POSTGRES_BIN to the directory holding them',
        { cause: error },
      );
    throw new Error(`${tool} failed: ${(e.stderr || e.message).trim()}`, { cause: error });
  }
}
