import type { PowerSaveBlocker } from 'electron';

/**
 * Keeps the computer from suspending while the backend reports a long job (overnight training
 * or sync) through `{ type: 'keep-awake', active, reason }` events. Reasons are counted so two
 * overlapping jobs hold one blocker until both have finished.
 */
export class KeepAwake {
  readonly #blocker: Pick<PowerSaveBlocker, 'start' | 'stop' | 'isStarted'>;
  readonly #reasons = new Set<string>();
  #id: number | null = null;

  constructor(blocker: Pick<PowerSaveBlocker, 'start' | 'stop' | 'isStarted'>) {
    this.#blocker = blocker;
  }

  get active(): boolean {
    return this.#id !== null;
  }

  set(active: boolean, reason: string): void {
    if (active) this.#reasons.add(reason);
    else this.#reasons.delete(reason);
    if (this.#reasons.size > 0 && this.#id === null) {
      // Lets the screen sleep; only the process (and so the job) must keep running.
      this.#id = this.#blocker.start('prevent-app-suspension');
    } else if (this.#reasons.size === 0) {
      this.release();
    }
  }

  /** Drops every reason, e.g. when the backend process ended mid-job. */
  release(): void {
    this.#reasons.clear();
    if (this.#id !== null && this.#blocker.isStarted(this.#id)) this.#blocker.stop(this.#id);
    this.#id = null;
  }
}
