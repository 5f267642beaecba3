/** A refusal the caller should read: becomes `{error, message}` with this HTTP status. */
export class CoordinatorError extends Error {
  constructor(
    readonly statusCode: number,
    readonly code: string,
    message: string,
    readonly extra: Record<string, unknown> = {},
  ) {
    super(message);
  }
}
