import type { z } from 'zod';
import { appContract } from './app.ts';
import { dataContract } from './data.ts';
import { importsContract } from './imports.ts';
import { logsContract } from './logs.ts';
import { productsContract } from './products.ts';
import { forecastContract } from './forecast.ts';
import { privacyContract } from './privacy.ts';
import { syncContract } from './sync.ts';
import { valueContract } from './value.ts';
import type { BackendEvent } from './events.ts';
import type { Message } from './messages/index.ts';

/**
 * Every method the UI can call. Each domain owns one slice (one file here); the dispatcher
 * validates payloads against these schemas whichever transport carried them.
 */
export const contract = {
  ...appContract,
  ...productsContract,
  ...logsContract,
  ...importsContract,
  ...dataContract,
  ...forecastContract,
  ...syncContract,
  ...privacyContract,
  ...valueContract,
};

export type Contract = typeof contract;
export type MethodName = keyof Contract;
export type MethodInput<M extends MethodName> = z.input<Contract[M]['input']>;
export type MethodOutput<M extends MethodName> = z.output<Contract[M]['output']>;

export type ApiErrorCode = 'bad-request' | 'not-found' | 'conflict' | 'unavailable' | 'internal';
/**
 * A refusal's words for the UI are its `reason` (a message code the renderer words in the shop's
 * language); `message` is for logs and developers. Refusals not yet converted carry no reason.
 */
export type ApiIssue = { path: string; message: string; reason?: Message };
export type ApiRefusal = {
  code: ApiErrorCode;
  message: string;
  reason?: Message;
  issues?: ApiIssue[];
};
export type ApiResult<T = unknown> = { ok: true; value: T } | { ok: false; error: ApiRefusal };

/** The one object the renderer talks to, whichever transport is behind it. */
export type BreadcastApi = {
  call<M extends MethodName>(method: M, input: MethodInput<M>): Promise<ApiResult<MethodOutput<M>>>;
  onEvent(listener: (event: BackendEvent) => void): () => void;
};

export type { BackendEvent, Message };
