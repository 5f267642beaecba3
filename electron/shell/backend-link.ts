import { MessageChannelMain, utilityProcess, type UtilityProcess } from 'electron';
import type { ApiResult, BackendEvent } from '../api/contract/index.ts';
import type { BackendInit, FromBackend, PortLike, ToBackend } from './messages.ts';

export type BackendLinkOptions = {
  /** Compiled utility-process entry (dist/electron/backend-process.cjs). */
  entry: string;
  databasePath: string;
  onEvent(event: BackendEvent): void;
  /** Called when the process ends, expectedly or not (e.g. to release a power-save blocker). */
  onExit?(code: number): void;
  log?(line: string): void;
};

type Running = {
  child: UtilityProcess;
  port: PortLike;
  /** Settles with null when the backend is serving, or with the reason it could not start. */
  ready: Promise<string | null>;
};

function unavailable(message: string): ApiResult {
  return { ok: false, error: { code: 'unavailable', message } };
}

/**
 * The main process's handle on the bakery backend, which runs in an Electron utility process so
 * the database, training and sync never block (or crash) the window's process. Calls travel over
 * a MessagePort; a crashed backend is restarted on the next call.
 */
export class BackendLink {
  readonly #options: BackendLinkOptions;
  readonly #pending = new Map<number, (result: ApiResult) => void>();
  #running: Running | null = null;
  #nextId = 1;
  #stopping = false;

  constructor(options: BackendLinkOptions) {
    this.#options = options;
  }

  /** Forks the utility process (if not running) and resolves once it serves or has failed. */
  start(): Promise<string | null> {
    this.#stopping = false;
    this.#running ??= this.#spawn();
    return this.#running.ready;
  }

  get process(): UtilityProcess | null {
    return this.#running?.child ?? null;
  }

  async call(method: string, payload: unknown): Promise<ApiResult> {
    if (this.#stopping) return unavailable('Breadcast is shutting down.');
    const failure = await this.start();
    const running = this.#running;
    if (failure !== null || !running) {
      return unavailable(`The bakery database could not be opened: ${failure ?? 'no backend'}`);
    }
    const id = this.#nextId++;
    return new Promise<ApiResult>((resolve) => {
      this.#pending.set(id, resolve);
      running.port.postMessage({ kind: 'call', id, method, payload } satisfies ToBackend);
    });
  }

  /** Asks the backend to close its database and exit; kills it if it does not within the grace. */
  async stop(graceMs = 3000): Promise<void> {
    this.#stopping = true;
    const running = this.#running;
    if (!running) return;
    const exited = new Promise<void>((resolve) => running.child.once('exit', () => resolve()));
    running.port.postMessage({ kind: 'shutdown' } satisfies ToBackend);
    const timer = setTimeout(() => running.child.kill(), graceMs);
    await exited;
    clearTimeout(timer);
  }

  #spawn(): Running {
    const { port1, port2 } = new MessageChannelMain();
    const child = utilityProcess.fork(this.#options.entry, [], {
      serviceName: 'Breadcast backend',
      stdio: 'inherit',
    });
    let settle: (failure: string | null) => void = () => {};
    const ready = new Promise<string | null>((resolve) => (settle = resolve));
    const running: Running = { child, port: port1, ready };

    port1.on('message', ({ data }) => {
      const message = data as FromBackend;
      switch (message?.kind) {
        case 'ready':
          settle(null);
          break;
        case 'failed':
          this.#options.log?.(`Backend could not start: ${message.message}`);
          settle(message.message);
          break;
        case 'result':
          this.#pending.get(message.id)?.(message.result);
          this.#pending.delete(message.id);
          break;
        case 'event':
          this.#options.onEvent(message.event);
          break;
      }
    });
    port1.start();

    child.once('exit', (code) => {
      if (this.#running === running) this.#running = null;
      settle(`the backend process exited (code ${code})`);
      if (!this.#stopping)
        this.#options.log?.(`Backend process exited unexpectedly (code ${code}).`);
      for (const resolve of this.#pending.values()) {
        resolve(unavailable('The bakery backend stopped; please retry.'));
      }
      this.#pending.clear();
      port1.close();
      this.#options.onExit?.(code);
    });

    child.postMessage(
      { kind: 'init', databasePath: this.#options.databasePath } satisfies BackendInit,
      [port2],
    );
    return running;
  }
}
