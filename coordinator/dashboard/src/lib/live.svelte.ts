import { onSignedOut } from './api.ts';
import { operatorPaths } from './paths.ts';

/**
 * Keeps open pages current without reloads: the coordinator pushes a `changed` event
 * (server-sent events) whenever rounds, shops or models move, and pages re-read on each tick.
 * If the stream breaks (proxy without SSE, restart) the page falls back to polling.
 */
const pollMs = 5000;

const state = $state({ tick: 0, connected: false });
let source: EventSource | null = null;
let poller: ReturnType<typeof setInterval> | null = null;

function startPolling(): void {
  poller ??= setInterval(() => state.tick++, pollMs);
}

function stopPolling(): void {
  if (poller) clearInterval(poller);
  poller = null;
}

export const live = {
  get tick(): number {
    return state.tick;
  },
  get connected(): boolean {
    return state.connected;
  },
  /** Re-read now, e.g. right after an action of this operator. */
  refresh(): void {
    state.tick++;
  },
  start(): void {
    if (source) return;
    source = new EventSource(operatorPaths.events);
    source.addEventListener('changed', () => state.tick++);
    source.onopen = () => {
      state.connected = true;
      stopPolling();
    };
    source.onerror = () => {
      state.connected = false;
      startPolling();
    };
  },
  stop(): void {
    source?.close();
    source = null;
    state.connected = false;
    stopPolling();
  },
};

onSignedOut(() => live.stop());
