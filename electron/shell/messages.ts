import type { ApiResult, BackendEvent } from '../api/contract/index.ts';

/** Sent once over the utility process's parentPort, carrying the MessagePort for everything else. */
export type BackendInit = { kind: 'init'; databasePath: string };

/** Main process → backend utility process. */
export type ToBackend =
  { kind: 'call'; id: number; method: string; payload: unknown } | { kind: 'shutdown' };

/** Backend utility process → main process. */
export type FromBackend =
  | { kind: 'ready' }
  | { kind: 'failed'; message: string }
  | { kind: 'result'; id: number; result: ApiResult }
  | { kind: 'event'; event: BackendEvent };

/** The part of Electron's MessagePortMain both sides use; Node's MessagePort is adapted to it in tests. */
export type PortLike = {
  on(event: 'message', listener: (message: { data: unknown }) => void): unknown;
  postMessage(message: unknown): void;
  start(): void;
  close(): void;
};
