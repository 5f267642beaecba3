/** One answer over real HTTP: status, headers by lower-case name, the text and its JSON. */
export type HttpAnswer = {
  statusCode: number;
  /** Several Set-Cookie headers come as an array, as Node's own client gives them. */
  headers: Record<string, string | string[]>;
  body: string;
  json(): any; // eslint-disable-line @typescript-eslint/no-explicit-any -- whatever the server sent
};

export type HttpRequest = {
  method?: string;
  url: string;
  /** An object is sent as JSON; a string exactly as given (malformed JSON stays malformed). */
  payload?: unknown;
  headers?: Record<string, string>;
};

/**
 * Requests to a listening server over loopback HTTP, never following redirects, so a test sees
 * the very answer a client would.
 */
export function httpClient(
  baseUrl: string,
): (request: HttpRequest | string) => Promise<HttpAnswer> {
  return async (request) => {
    const {
      method = 'GET',
      url,
      payload,
      headers = {},
    } = typeof request === 'string' ? { url: request } : request;
    const body =
      payload === undefined
        ? undefined
        : typeof payload === 'string'
          ? payload
          : JSON.stringify(payload);
    const sent = { ...headers };
    if (body !== undefined && !Object.keys(sent).some((h) => h.toLowerCase() === 'content-type'))
      sent['content-type'] = 'application/json';
    const response = await fetch(new URL(url, baseUrl), {
      method,
      headers: sent,
      body,
      redirect: 'manual',
    });
    const text = await response.text();
    const answerHeaders: Record<string, string | string[]> = {};
    response.headers.forEach((value, name) => (answerHeaders[name] = value));
    const cookies = response.headers.getSetCookie();
    if (cookies.length > 0)
      answerHeaders['set-cookie'] = cookies.length === 1 ? cookies[0]! : cookies;
    return {
      statusCode: response.status,
      headers: answerHeaders,
      body: text,
      json: () => JSON.parse(text),
    };
  };
}
