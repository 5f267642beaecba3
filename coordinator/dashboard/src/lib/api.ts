/**
 * The dashboard's only way to the coordinator. Reads are plain GETs with the session cookie;
 * every change carries the CSRF token the login answer handed out, which a page on another
 * site cannot know, so it cannot make the operator's browser change anything.
 */

const csrfKey = 'breadcast.operator.csrf';

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

type Listener = () => void;
const signedOutListeners = new Set<Listener>();

/** Called whenever the coordinator says the session is gone (expired, logged out elsewhere). */
export function onSignedOut(listener: Listener): () => void {
  signedOutListeners.add(listener);
  return () => signedOutListeners.delete(listener);
}

export function rememberCsrf(token: string | null): void {
  if (token) sessionStorage.setItem(csrfKey, token);
  else sessionStorage.removeItem(csrfKey);
}

export function hasSession(): boolean {
  return sessionStorage.getItem(csrfKey) !== null;
}

async function request<T>(method: string, path: string, body?: unknown): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (method !== 'GET') headers['x-csrf-token'] = sessionStorage.getItem(csrfKey) ?? '';
  let response: Response;
  try {
    response = await fetch(path, {
      method,
      headers,
      credentials: 'same-origin',
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch {
    throw new ApiError(0, 'offline', 'The coordinator cannot be reached. Is it running?');
  }
  const text = await response.text();
  const data = text ? (JSON.parse(text) as unknown) : undefined;
  if (!response.ok) {
    const error = (data ?? {}) as { error?: string; message?: string };
    if (response.status === 401) {
      rememberCsrf(null);
      for (const listener of signedOutListeners) listener();
    }
    throw new ApiError(
      response.status,
      error.error ?? 'error',
      error.message ?? `The coordinator answered ${response.status}.`,
    );
  }
  return data as T;
}

export const api = {
  get: <T>(path: string) => request<T>('GET', path),
  post: <T>(path: string, body: unknown = {}) => request<T>('POST', path, body),
  put: <T>(path: string, body: unknown) => request<T>('PUT', path, body),
  patch: <T>(path: string, body: unknown) => request<T>('PATCH', path, body),
  delete: <T>(path: string) => request<T>('DELETE', path),
};
