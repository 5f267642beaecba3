import { randomBytes, type KeyObject } from 'node:crypto';
import type { z } from 'zod';
import {
  errorBody,
  headers,
  privateKeyObject,
  protocolVersion,
  signRequest,
} from '../../federated/protocol/index.ts';
import { SyncError } from './errors.ts';
import type { RequestLog, RequestMeta } from './ledger.ts';

export type CoordinatorIdentity = { shopId: string; privateKey: string };

export type HttpOptions = {
  baseUrl: string;
  appVersion: string;
  now: () => Date;
  fetch?: typeof fetch;
  /** Coordinator clock minus ours; updated from answers. */
  clockOffsetMs: number;
  onClockOffset?: (offsetMs: number) => void;
  timeoutMs?: number;
  /** The ledger: every request is written to it before it leaves. */
  log: RequestLog;
  /**
   * How an answer's text is parsed and checked against its schema (default: JSON.parse, then the
   * schema). Only the load harness passes another (simulation/load/shared-checks.ts).
   */
  parseAnswer?: AnswerParser;
};

export type AnswerParser = (text: string, schema: z.ZodType) => z.ZodSafeParseResult<unknown>;

export type SendResult<T> = { status: number; body: T | null; bytesSent: number };

/**
 * Talks to the coordinator: the one way out of this bakery. Writes each request to the ledger
 * before it leaves and its answer after, signs it, parses every answer with the shared
 * protocol schema, learns the coordinator's clock from its Date header and turns failures into
 * plain-words `SyncError`s. A request refused for clock skew is retried once, corrected (and
 * ledgered again: it is a second request).
 */
export class CoordinatorHttp {
  /** The identity's key, imported on first use: importing it again per request costs more than signing. */
  private signingKey: KeyObject | null = null;

  constructor(
    private readonly options: HttpOptions,
    private readonly identity: CoordinatorIdentity | null,
  ) {}

  get clockOffsetMs(): number {
    return this.options.clockOffsetMs;
  }

  get baseUrl(): string {
    return this.options.baseUrl;
  }

  async send<S extends z.ZodType>(
    method: 'GET' | 'POST',
    path: string,
    /** JSON text, or binary (sent as application/octet-stream). */
    body: string | Uint8Array | null,
    schema: S,
    meta: RequestMeta,
    extraHeaders: Record<string, string> = {},
  ): Promise<SendResult<z.output<S>>> {
    let { response, text } = await this.attempt(method, path, body, meta, extraHeaders);
    if (response.status === 401 && this.identity) {
      const refusal = errorBody.safeParse(safeJson(text));
      if (refusal.success && refusal.data.error === 'clock-skew' && refusal.data.serverTime) {
        this.learnOffset(Date.parse(refusal.data.serverTime));
        ({ response, text } = await this.attempt(method, path, body, meta, extraHeaders));
      }
    }
    const bytesSent =
      body === null ? 0 : typeof body === 'string' ? Buffer.byteLength(body) : body.byteLength;
    if (response.status === 304) return { status: 304, body: null, bytesSent };
    if (!response.ok) throw refusalOf(response.status, text);
    const parsed = (
      this.options.parseAnswer
        ? this.options.parseAnswer(text, schema)
        : schema.safeParse(safeJson(text))
    ) as z.ZodSafeParseResult<z.output<S>>;
    if (!parsed.success)
      throw new SyncError(
        'bad-answer',
        `The coordinator sent an answer this app does not understand (${path}). The app may need an update.`,
        true,
        response.status,
      );
    return { status: response.status, body: parsed.data, bytesSent };
  }

  private async attempt(
    method: string,
    path: string,
    body: string | Uint8Array | null,
    meta: RequestMeta,
    extraHeaders: Record<string, string>,
  ): Promise<{ response: Response; text: string }> {
    const requestHeaders: Record<string, string> = {
      [headers.protocol]: String(protocolVersion),
      'x-breadcast-app-version': this.options.appVersion,
      ...extraHeaders,
    };
    if (body !== null)
      requestHeaders['content-type'] =
        typeof body === 'string' ? 'application/json' : 'application/octet-stream';
    if (this.identity) {
      const timestamp = this.options.now().getTime() + this.options.clockOffsetMs;
      const nonce = randomBytes(18).toString('base64url');
      requestHeaders[headers.shop] = this.identity.shopId;
      requestHeaders[headers.timestamp] = String(Math.round(timestamp));
      requestHeaders[headers.nonce] = nonce;
      this.signingKey ??= privateKeyObject(this.identity.privateKey);
      requestHeaders[headers.signature] = signRequest(this.signingKey, {
        method,
        path,
        shopId: this.identity.shopId,
        timestamp: Math.round(timestamp),
        nonce,
        body: body ?? '',
      });
    }
    const url = new URL(path, this.options.baseUrl).toString();
    const line = this.options.log.sending({ meta, method, path, body, headers: requestHeaders });
    let response: Response;
    let text: string;
    try {
      response = await (this.options.fetch ?? fetch)(url, {
        method,
        headers: requestHeaders,
        body: body === null ? undefined : typeof body === 'string' ? body : new Uint8Array(body),
        signal: AbortSignal.timeout(this.options.timeoutMs ?? 60_000),
      });
      text = await response.text();
    } catch (error) {
      this.options.log.answered(line, null);
      throw new SyncError(
        'offline',
        `The coordinator at ${this.options.baseUrl} cannot be reached (${(error as Error).message}). It will be tried again later.`,
        true,
      );
    }
    this.options.log.answered(line, response.status);
    const date = response.headers.get('date');
    if (date) {
      const serverMs = Date.parse(date);
      // The Date header has whole seconds: only adopt it when we are clearly off.
      if (
        Number.isFinite(serverMs) &&
        Math.abs(serverMs - (this.options.now().getTime() + this.options.clockOffsetMs)) > 30_000
      )
        this.learnOffset(serverMs);
    }
    return { response, text };
  }

  private learnOffset(serverMs: number): void {
    this.options.clockOffsetMs = serverMs - this.options.now().getTime();
    this.options.onClockOffset?.(this.options.clockOffsetMs);
  }
}

export function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}

function refusalOf(status: number, text: string): SyncError {
  const parsed = errorBody.safeParse(safeJson(text));
  const code = parsed.success ? parsed.data.error : `http-${status}`;
  const said = parsed.success ? parsed.data.message : `HTTP ${status}`;
  if (status === 426) return new SyncError('upgrade-required', said, false, status);
  if (status === 403 && code === 'revoked')
    return new SyncError(code, `${said} Contact the consortium's operator.`, false, status);
  // Server trouble and rate limits pass; refusals of the content itself will not.
  const retryable = status >= 500 || status === 429 || status === 408 || code === 'clock-skew';
  return new SyncError(code, `The coordinator refused: ${said}`, retryable, status);
}
