/** A sync failure with words a bakery owner can act on; `retryable` decides the outbox's fate. */
export class SyncError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly retryable: boolean,
    readonly status?: number,
  ) {
    super(message);
  }
}
