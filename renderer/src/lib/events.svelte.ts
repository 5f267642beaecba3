import type { BackendEvent } from '../../../electron/api/contract/index.ts';
import { onBackendEvent } from '../api/client.ts';

export type Progress = { done: number; total: number; message?: string; at: number };

/** Live backend state: progress per task and a change counter per data scope. */
export const live = $state({
  progress: {} as Record<string, Progress | undefined>,
  changes: {} as Record<string, number>,
});

// Plain callbacks, not UI state: nothing renders from this set.
// eslint-disable-next-line svelte/prefer-svelte-reactivity
const listeners = new Set<(event: BackendEvent) => void>();

/** Extra listeners (e.g. a screen waiting for one task to finish); returns the unsubscribe. */
export function listen(listener: (event: BackendEvent) => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

let started = false;

export function startEvents(): void {
  if (started) return;
  started = true;
  onBackendEvent((event) => {
    if (event.type === 'progress') {
      live.progress[event.task] =
        event.done >= event.total && event.total > 0
          ? undefined
          : { done: event.done, total: event.total, message: event.message, at: Date.now() };
    } else if (event.type === 'data.changed') {
      live.changes[event.scope] = (live.changes[event.scope] ?? 0) + 1;
    }
    for (const listener of listeners) listener(event);
  });
}

/** Reading this inside an effect re-runs it whenever the backend reports a change in `scope`. */
export const changesOf = (scope: string): number => live.changes[scope] ?? 0;
