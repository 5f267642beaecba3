import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const bin = fileURLToPath(new URL('../../bin/breadcast.mjs', import.meta.url));

/**
 * The shipped service (`breadcast coordinator`) in a child process, on `database` (a file or a
 * postgres:// URL); resolves to its URL. BREADCAST_BENCH_CPU_PROF=DIR: the service writes a V8
 * CPU profile there when it stops.
 */
export function startService(database: string): Promise<{ child: ChildProcess; url: string }> {
  const profile = process.env.BREADCAST_BENCH_CPU_PROF;
  const node = profile ? ['--cpu-prof', `--cpu-prof-dir=${profile}`] : [];
  const args = [...node, bin, 'coordinator', '--db', database, '--port', '0'];
  const child = spawn(process.execPath, args, {
    env: { ...process.env, BREADCAST_COORDINATOR_LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`coordinator did not start: ${out}`)), 180_000);
    child.once('exit', (code) => reject(new Error(`coordinator exited (${code}): ${out}`)));
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const match = /listening on (http:\/\/\S+)/.exec(out);
      if (match) {
        clearTimeout(timer);
        resolve({ child, url: match[1]! });
      }
    });
  });
}

/** Stops the service gracefully and waits for it to exit. */
export async function stopService(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await exited;
}

/**
 * User + system CPU seconds a process has used so far (Linux: /proc/<pid>/stat, clock ticks);
 * with `mainThread`, only its main thread's (the event loop's: a thread's id is the process id).
 */
export function cpuSecondsOf(pid: number, options: { mainThread?: boolean } = {}): number {
  const file = options.mainThread ? `/proc/${pid}/task/${pid}/stat` : `/proc/${pid}/stat`;
  const fields = readFileSync(file, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}
