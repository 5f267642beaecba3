import type { z } from 'zod';
import {
  contract,
  type ApiErrorCode,
  type ApiIssue,
  type ApiRefusal,
  type ApiResult,
  type Contract,
  type MethodName,
  type MethodOutput,
} from './contract/index.ts';
import type { InputProblem, Message } from './contract/messages/index.ts';

/** A message as developers and logs read it: its code and values, no sentence. */
export const describeMessage = (message: Message): string =>
  `${message.code} ${JSON.stringify(message.params)}`;

/** A field-level refusal worded by the renderer. */
export const issueOf = (path: string, reason: Message): ApiIssue => ({
  path,
  message: describeMessage(reason),
  reason,
});

/**
 * A refusal a handler wants the user to read. With a message code the renderer words it in the
 * shop's language; a plain string reaches the UI as-is.
 */
export class ApiError extends Error {
  readonly reason?: Message;
  constructor(
    readonly code: ApiErrorCode,
    reason: Message | string,
    readonly issues?: ApiIssue[],
  ) {
    super(typeof reason === 'string' ? reason : describeMessage(reason));
    if (typeof reason !== 'string') this.reason = reason;
  }
}

export type Handlers = {
  [M in MethodName]: (
    input: z.output<Contract[M]['input']>,
  ) => Promise<MethodOutput<M>> | MethodOutput<M>;
};

export type Dispatch = (method: string, payload: unknown) => Promise<ApiResult>;

/** A schema's complaint about one field, as the kind of problem the form shows beside it. */
function inputProblemOf(issue: z.core.$ZodIssue): InputProblem {
  const textual = 'origin' in issue && (issue.origin === 'string' || issue.origin === 'array');
  if (issue.code === 'too_small') {
    const minimum = Number(issue.minimum);
    if (textual && minimum <= 1) return { code: 'input.required', params: {} };
    return textual
      ? { code: 'input.tooShort', params: { minimum } }
      : { code: 'input.tooSmall', params: { minimum } };
  }
  if (issue.code === 'too_big') {
    const maximum = Number(issue.maximum);
    return textual
      ? { code: 'input.tooLong', params: { maximum } }
      : { code: 'input.tooLarge', params: { maximum } };
  }
  if (issue.code === 'invalid_format')
    return { code: issue.format === 'url' ? 'input.url' : 'input.format', params: {} };
  return { code: 'input.invalid', params: {} };
}

export function issuesOf(error: z.ZodError): ApiIssue[] {
  return error.issues.map((issue) => ({
    path: issue.path.join('.'),
    message: issue.message,
    reason: inputProblemOf(issue),
  }));
}

/**
 * Turns untrusted (method, payload) pairs into validated handler calls. Nothing reaches a
 * handler without passing its schema; unknown methods and bad payloads get a clear refusal.
 */
export function createDispatcher(
  handlers: Handlers,
  onInternalError?: (error: unknown) => void,
): Dispatch {
  return async (method, payload) => {
    if (typeof method !== 'string' || !Object.hasOwn(contract, method)) {
      return fail('not-found', `Unknown API method "${String(method).slice(0, 80)}".`);
    }
    const name = method as MethodName;
    const parsed = contract[name].input.safeParse(payload ?? {});
    if (!parsed.success) {
      const issues = issuesOf(parsed.error);
      const first = issues[0];
      return fail(
        'bad-request',
        `Invalid request for ${name}: ${first ? `${first.path || 'payload'}: ${first.message}` : 'bad payload'}`,
        issues,
        { code: 'refusal.invalidRequest', params: { field: first?.path ?? '' } },
      );
    }
    try {
      const handler = handlers[name] as (input: unknown) => unknown;
      return { ok: true, value: await handler(parsed.data) };
    } catch (error) {
      if (error instanceof ApiError)
        return fail(error.code, error.message, error.issues, error.reason);
      onInternalError?.(error);
      return fail('internal', `Something went wrong in ${name}: ${(error as Error).message}`);
    }
  };
}

function fail(
  code: ApiErrorCode,
  message: string,
  issues?: ApiIssue[],
  reason?: Message,
): ApiResult {
  const error: ApiRefusal = { code, message };
  if (reason) error.reason = reason;
  if (issues) error.issues = issues;
  return { ok: false, error };
}
