import { spawn, type ChildProcess } from 'node:child_process';
import { projectRoot } from './coordinator-process.ts';

/**
 * Another process holding a write lock on a SQLite file (BEGIN EXCLUSIVE), as a backup tool,
 * a curious operator's sqlite3 shell or a stuck second instance would.
 */
export async function lockDatabase(path: string): Promise<{
  child: ChildProcess;
  release(): Promise<void>;
  kill(): Promise<void>;
}> {
  const script = `
    const Database = require('better-sqlite3');
    const db = new Database(process.argv[1]);
    db.exec('BEGIN EXCLUSIVE');
    db.prepare("SELECT COUNT(*) FROM sqlite_master").get();
    process.stdout.write('locked\\n');
    process.stdin.on('data', () => { db.exec('COMMIT'); db.close(); process.exit(0); });
  `;
  const child = spawn(process.execPath, ['-e', script, path], {
    cwd: projectRoot,
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  await new Promise<void>((resolve, reject) => {
    child.stdout!.on('data', (chunk: Buffer) => {
      if (chunk.toString().includes('locked')) resolve();
    });
    child.once('exit', (code) => reject(new Error(`locker exited ${code}`)));
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return {
    child,
    release: async () => {
      child.stdin!.write('release\n');
      await exited;
    },
    kill: async () => {
      child.kill('SIGKILL');
      await exited;
    },
  };
}
