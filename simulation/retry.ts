import { retryDelayMs } from '../electron/sync/outbox.ts';
import { SyncError } from '../electron/sync/errors.ts';

/**
 * How a simulated shop retries a round's step: the app's outbox schedule (30 s, 1 min, 2 min…)
 * compressed 600 times, since a simulated night lasts seconds; after `attempts` tries the step
 * counts as failed for that round (the app would try again at its next sync; so does the
 * simulation).
 */
export const shopRetry = { attempts: 6, timeScale: 1 / 600 };

/**
 * How the consortium's setup (operator login, invites, enrolment) and the operator's round
 * calls retry: the same schedule compressed 60 times (0.5 s, 1 s … 64 s, about two minutes in
 * all), since nothing can go on without them and a machine shared by many jobs can stall the
 * in-process coordinator for many seconds.
 */
export const setupRetry = { attempts: 9, timeScale: 1 / 60 };

export type RetrySchedule = { attempts: number; timeScale: number };

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * A failure worth another try: the connection failed or was cut (fetch's TypeError, an abort
 * on timeout), or the server answered that it is busy or broken (5xx, 408, 429). A refusal of
 * the request itself is final.
 */
export function isTransient(error: unknown): boolean {
  if (error instanceof SyncError) return error.retryable;
  if (error instanceof HttpStatusError) return isTransientStatus(error.status);
  return (
    error instanceof TypeError ||
    (error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError'))
  );
}

export const isTransientStatus = (status: number) =>
  status >= 500 || status === 408 || status === 429;

/** An HTTP answer that was not a success, with its status and the server's error code. */
export class HttpStatusError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/**
 * Runs `step` until it succeeds, a failure is not transient, or the schedule's attempts are
 * spent; the last error is thrown. `step` gets the attempt number (1, 2, …) so that a step
 * which is not idempotent can first look whether its earlier attempt took effect.
 */
export async function withRetries<T>(
  step: (attempt: number) => Promise<T>,
  schedule: RetrySchedule = setupRetry,
): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await step(attempt);
    } catch (error) {
      if (attempt >= schedule.attempts || !isTransient(error)) throw error;
      await sleep(retryDelayMs(attempt) * schedule.timeScale);
    }
  }
}
