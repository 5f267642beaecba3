import { execFile, execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';

const run = promisify(execFile);

/**
 * A throwaway PostgreSQL server for tests and benchmarks: its own cluster in a temporary
 * directory, on a free port of 127.0.0.1, trusted local logins, no durability, removed at
 * `stop()`. The server refuses to run as root, so under root every command runs as the
 * `postgres` user (Debian's package creates it). Never a server to keep data on.
 */
export type PostgresServer = {
  port: number;
  /** A directory the server's user may write to (dumps). */
  scratch: string;
  /** Directory holding pg_ctl, pg_dump, pg_restore, … */
  bin: string;
  /** A fresh, empty database; returns its URL. */
  createDatabase(name: string): Promise<string>;
  url(database: string): string;
  /** Runs one of the server's tools (pg_dump, pg_restore) as the server's user. */
  tool(name: string, args: string[]): Promise<string>;
  /**
   * CPU seconds (user + system) the server's processes have used so far: the postmaster and
   * its children now running (a connection's backend counts while it lives; Linux only).
   */
  cpuSeconds(): number;
  stop(): Promise<void>;
};

/** User + system CPU seconds of a process from /proc (clock ticks of 1/100 s), with its parent. */
function procStat(pid: string): { ppid: string; seconds: number } | null {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return { ppid: fields[1]!, seconds: (Number(fields[11]) + Number(fields[12])) / 100 };
  } catch {
    return null; // the process ended while we looked
  }
}

const user = 'breadcast';

function findBin(): string {
  const fromEnv = process.env.BREADCAST_POSTGRES_BIN;
  if (fromEnv) return fromEnv;
  const root = '/usr/lib/postgresql';
  const versions = existsSync(root)
    ? readdirSync(root)
        .filter((v) => existsSync(join(root, v, 'bin', 'initdb')))
        .sort((a, b) => Number(b) - Number(a))
    : [];
  if (versions[0]) return join(root, versions[0], 'bin');
  try {
    return execFileSync('pg_config', ['--bindir'], { encoding: 'utf8' }).trim();
  } catch {
    throw new Error(
      'PostgreSQL is not installed (no /usr/lib/postgresql/*/bin/initdb, no pg_config): install it ' +
        '(apt-get install postgresql) or set BREADCAST_POSTGRES_BIN.',
    );
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error('port')),
      );
    });
  });
}

export async function startPostgres(): Promise<PostgresServer> {
  const bin = findBin();
  const asRoot = userInfo().uid === 0;
  const dir = mkdtempSync(join(tmpdir(), 'breadcast-pg-'));
  const data = join(dir, 'data');
  const as = async (tool: string, args: string[]): Promise<string> => {
    const command = asRoot ? 'runuser' : join(bin, tool);
    const argv = asRoot ? ['-u', 'postgres', '--', join(bin, tool), ...args] : args;
    try {
      return (await run(command, argv, { maxBuffer: 256 * 1024 * 1024, encoding: 'utf8' })).stdout;
    } catch (error) {
      const e = error as { stderr?: string; message: string };
      throw new Error(`${tool} failed: ${e.stderr || e.message}`, { cause: error });
    }
  };
  if (asRoot) {
    execFileSync('chown', ['-R', 'postgres:', dir]);
    chmodSync(dir, 0o700);
  }
  await as('initdb', [
    '-D',
    data,
    '-U',
    user,
    '-A',
    'trust',
    '-E',
    'UTF8',
    '--locale=C',
    '--no-sync',
  ]);
  const port = await freePort();
  const options = [
    `-p ${port}`,
    `-k ${dir}`,
    '-c listen_addresses=127.0.0.1',
    // A test server: a crash of the machine may lose it, nothing else needs to survive.
    '-c fsync=off',
    '-c synchronous_commit=off',
    '-c full_page_writes=off',
    '-c max_connections=200',
  ].join(' ');
  await as('pg_ctl', [
    '-D',
    data,
    '-o',
    options,
    '-l',
    join(dir, 'server.log'),
    '-w',
    '-t',
    '60',
    'start',
  ]);
  const url = (database: string) => `postgres://${user}@127.0.0.1:${port}/${database}`;
  let stopped = false;
  return {
    port,
    scratch: dir,
    bin,
    url,
    async createDatabase(name) {
      const client = new pg.Client({ connectionString: url('postgres') });
      await client.connect();
      try {
        await client.query(`CREATE DATABASE "${name}"`);
      } finally {
        await client.end();
      }
      return url(name);
    },
    tool: (name, args) => as(name, args),
    cpuSeconds() {
      const postmaster = readFileSync(join(data, 'postmaster.pid'), 'utf8').split('\n')[0]!;
      let seconds = procStat(postmaster)?.seconds ?? 0;
      for (const pid of readdirSync('/proc')) {
        if (!/^\d+$/.test(pid)) continue;
        const stat = procStat(pid);
        if (stat?.ppid === postmaster) seconds += stat.seconds;
      }
      return seconds;
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      try {
        await as('pg_ctl', ['-D', data, '-m', 'immediate', '-w', 'stop']);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}
