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

  static async login(baseUrl: string, name: string, password: string): Promise<OperatorClient> {
    const response = await fetch(`${baseUrl}/v1/operator/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name, password }),
    });
    if (!response.ok)
      throw new Error(
        `operator login at ${baseUrl} failed (${response.status}): ${await response.text()}`,
      );
    const cookie = (response.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
    const { csrfToken } = (await response.json()) as { csrfToken: string };
    return new OperatorClient(baseUrl, cookie, csrfToken);
  }

  async call<T = Record<string, unknown>>(
    method: string,
    path: string,
    body?: unknown,
  ): Promise<T> {
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

  async invite(): Promise<string> {
    const { code } = await this.call<{ code: string }>('POST', '/v1/operator/invites', {
      expiresInHours: 1,
    });
    return code;
  }
}

export class OperatorApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}
