import { HttpStatusError, withRetries } from './retry.ts';

/**
 * The coordinator's operator API over real HTTP, as the dashboard uses it: a session cookie
 * and the CSRF token from login. The simulation and the demo drive rounds through it.
 */
export class OperatorClient {
  private constructor(
    readonly baseUrl: string,
    private readonly cookie: string,
    private readonly csrfToken: string,
  ) {}

  /** Logs in, retrying a lost connection or a busy server (a login twice is harmless). */
  static async login(baseUrl: string, name: string, password: string): Promise<OperatorClient> {
    return withRetries(async () => {
      const response = await fetch(`${baseUrl}/v1/operator/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ name, password }),
      });
      if (!response.ok)
        throw new OperatorApiError(
          response.status,
          'login-failed',
          `operator login at ${baseUrl} failed (${response.status}): ${await response.text()}`,
        );
      const cookie = (response.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
      const { csrfToken } = (await response.json()) as { csrfToken: string };
      return new OperatorClient(baseUrl, cookie, csrfToken);
    });
  }

  /**
   * One request. GET and PUT (idempotent) are retried on a lost connection or a busy server;
   * a POST only when the caller says a repeat is harmless (`retry: true`), since a POST whose
   * answer was lost may have taken effect: such callers retry themselves and look first.
   */
  async call<T = Record<string, unknown>>(
    method: string,
    path: string,
    body?: unknown,
    options: { retry?: boolean } = {},
  ): Promise<T> {
    const once = () => this.send<T>(method, path, body);
    return (options.retry ?? (method === 'GET' || method === 'PUT')) ? withRetries(once) : once();
  }

  private async send<T>(method: string, path: string, body?: unknown): Promise<T> {
    const response = await fetch(`${this.baseUrl}${path}`, {
      method,
      headers: {
        cookie: this.cookie,
        'x-csrf-token': this.csrfToken,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    const parsed = (text ? JSON.parse(text) : {}) as T & { error?: string; message?: string };
    if (!response.ok)
      throw new OperatorApiError(
        response.status,
        parsed.error ?? 'error',
        parsed.message ?? `${method} ${path} answered ${response.status}`,
      );
    return parsed;
  }

  /** A one-time invite code (an unused one left by a retry simply expires). */
  async invite(): Promise<string> {
    const { code } = await this.call<{ code: string }>(
      'POST',
      '/v1/operator/invites',
      { expiresInHours: 1 },
      { retry: true },
    );
    return code;
  }
}

export class OperatorApiError extends HttpStatusError {}
