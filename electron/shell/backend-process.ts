import type { ApiResult } from '../api/contract/index.ts';
import { createBackend, type Backend } from '../backend/backend.ts';
import type { BackendInit, FromBackend, PortLike, ToBackend } from './messages.ts';

function isCall(message: unknown): message is Extract<ToBackend, { kind: 'call' }> {
  const m = message as Partial<Extract<ToBackend, { kind: 'call' }>> | null;
  return (
    typeof m === 'object' &&
    m !== null &&
    m.kind === 'call' &&
    Number.isSafeInteger(m.id) &&
    typeof m.method === 'string'
  );
}

/**
 * Answers API calls arriving on the port with the backend's dispatcher (which validates every
 * payload against the contract) and pushes backend events back. Returns a function that stops it.
 */
export function serveBackend(port: PortLike, backend: Backend, onShutdown: () => void): () => void {
  const send = (message: FromBackend) => port.postMessage(message);
  const unsubscribe = backend.context.events.subscribe((event) => send({ kind: 'event', event }));
  port.on('message', ({ data }) => {
    if (isCall(data)) {
      backend
        .dispatch(data.method, data.payload)
        .catch((error: unknown): ApiResult => ({
          ok: false,
          error: { code: 'internal', message: `Backend failure: ${(error as Error).message}` },
        }))
        .then((result) => send({ kind: 'result', id: data.id, result }));
    } else if ((data as ToBackend | null)?.kind === 'shutdown') {
      onShutdown();
    }
  });
  port.start();
  return unsubscribe;
}

type ParentPortLike = {
  once(
    event: 'message',
    listener: (message: { data: unknown; ports: readonly PortLike[] }) => void,
  ): unknown;
};

/**
 * The utility process's life: wait for the init message carrying the database path and the
 * port, open the backend, serve until told to shut down. A database that cannot be opened (newer
 * version, corrupt file) is reported to the main process with its message instead of crashing.
 */
export function runBackendProcess(
  parentPort: ParentPortLike,
  open: (init: BackendInit) => Backend = (init) =>
    createBackend({ databasePath: init.databasePath, transport: 'electron', nightlyJobs: true }),
  exit: (code: number) => void = (code) => process.exit(code),
): void {
  parentPort.once('message', ({ data, ports }) => {
    const init = data as BackendInit;
    const port = ports[0];
    if (!port || init?.kind !== 'init' || typeof init.databasePath !== 'string') {
      exit(2);
      return;
    }
    let backend: Backend;
    try {
      backend = open(init);
    } catch (error) {
      port.postMessage({ kind: 'failed', message: (error as Error).message } satisfies FromBackend);
      port.start();
      return;
    }
    const stop = serveBackend(port, backend, () => {
      stop();
      backend.close();
      port.close();
      exit(0);
    });
    port.postMessage({ kind: 'ready' } satisfies FromBackend);
  });
}

// Only inside an Electron utility process does `process.parentPort` exist.
const parentPort = (process as { parentPort?: ParentPortLike }).parentPort;
if (parentPort) runBackendProcess(parentPort);
