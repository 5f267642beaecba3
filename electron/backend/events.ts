import { EventEmitter } from 'node:events';
import type { BackendEvent } from '../api/contract/events.ts';

/** Fan-out of backend events to whichever transport(s) are connected. */
export class EventBus {
  readonly #emitter = new EventEmitter();

  emit(event: BackendEvent): void {
    this.#emitter.emit('event', event);
  }

  subscribe(listener: (event: BackendEvent) => void): () => void {
    this.#emitter.on('event', listener);
    return () => this.#emitter.off('event', listener);
  }
}
