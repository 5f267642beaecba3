import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';

/**
 * Copies a SQLite file's write-ahead log back into the database on a thread of its own.
 *
 * SQLite runs that checkpoint inside the COMMIT that makes the log pass its threshold: the
 * commit then copies every page logged since the last one into the file and syncs both files.
 * On the coordinator that commit runs on the event loop, which under a burst of uploads (many
 * small group commits, each logging the same index pages again) spent about as long in
 * checkpoints as in everything else it does with the database. A second connection on a worker
 * thread does it instead, every `everyMs`, as a PASSIVE checkpoint: it never blocks the writer,
 * which keeps appending while the copy runs and restarts the log once it has been copied.
 * Durability does not change: a commit is in the log (and the operating system's cache) when it
 * returns, as before; only who copies it into the file later does.
 */
const workerSource = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const db = new Database(workerData.path, { fileMustExist: true });
db.pragma('busy_timeout = 1000');
const checkpoint = () => {
  try {
    const [result] = db.pragma('wal_checkpoint(PASSIVE)');
    parentPort.postMessage({ checkpointed: result.checkpointed });
  } catch (error) {
    parentPort.postMessage({ error: String(error && error.message || error) });
  }
};
const timer = setInterval(checkpoint, workerData.everyMs);
parentPort.on('message', (message) => {
  if (message === 'checkpoint') return checkpoint();
  clearInterval(timer);
  db.close();
  parentPort.close();
});
`;

const driver = createRequire(import.meta.url).resolve('better-sqlite3');

export type CheckpointReport = { checkpointed: number } | { error: string };

export class WalCheckpointer {
  private readonly listeners = new Set<(report: CheckpointReport) => void>();
  private readonly exited: Promise<void>;

  private constructor(private readonly worker: Worker) {
    // An open store must not keep a process alive on its own: its owner closes it.
    worker.unref();
    worker.on('message', (report: CheckpointReport) => {
      if (this.listeners.size > 0) worker.unref();
      for (const listener of this.listeners) listener(report);
    });
    this.exited = new Promise((resolve) => worker.once('exit', () => resolve()));
    // A failed worker leaves SQLite's own checkpoints (the writer's threshold) to do the work.
    worker.on('error', () => undefined);
  }

  static start(path: string, everyMs = 200): WalCheckpointer {
    return new WalCheckpointer(
      new Worker(workerSource, { eval: true, workerData: { path, driver, everyMs } }),
    );
  }

  /** Resolves with the next checkpoint's report (asking for one now). */
  next(): Promise<CheckpointReport> {
    return new Promise((resolve) => {
      const listener = (report: CheckpointReport) => {
        this.listeners.delete(listener);
        resolve(report);
      };
      this.listeners.add(listener);
      this.worker.ref();
      this.worker.postMessage('checkpoint');
    });
  }

  /** Stops the thread and closes its connection (before the writer's, which then cleans up). */
  async stop(): Promise<void> {
    // Held by the worker until it has exited, or a caller with nothing else to wait for would
    // find the event loop empty and its process ending mid-await.
    this.worker.ref();
    this.worker.postMessage('stop');
    await this.exited;
  }
}
