import { randomBytes } from 'node:crypto';
import { request } from 'node:http';
import { headers, protocolVersion, signRequest } from '../../federated/protocol/index.ts';

export type RawAnswer = { status: number; body: Record<string, unknown> | null; text: string };

export type Caller =
  | { kind: 'anonymous' }
  | { kind: 'operator'; cookie: string; csrfToken: string }
  | {
      kind: 'shop';
      shopId: string;
      privateKey: string;
      claimShopId?: string;
      nonce?: string;
      timestamp?: number;
    };

/**
 * One request with exactly the bytes given (malformed JSON stays malformed), signed as a shop
 * when asked — over the hostile body itself, so the coordinator's checks beyond the signature
 * are the ones exercised.
 */
export async function rawRequest(
  baseUrl: string,
  method: string,
  path: string,
  caller: Caller,
  body?: string | Uint8Array,
  contentType = typeof body === 'string' || body === undefined
    ? 'application/json'
    : 'application/octet-stream',
): Promise<RawAnswer> {
  const h: Record<string, string> = { [headers.protocol]: String(protocolVersion) };
  if (body !== undefined) h['content-type'] = contentType;
  if (caller.kind === 'operator') {
    h.cookie = caller.cookie;
    h['x-csrf-token'] = caller.csrfToken;
  }
  if (caller.kind === 'shop') {
    const timestamp = caller.timestamp ?? Date.now();
    const nonce = caller.nonce ?? randomBytes(18).toString('base64url');
    h[headers.shop] = caller.claimShopId ?? caller.shopId;
    h[headers.timestamp] = String(timestamp);
    h[headers.nonce] = nonce;
    h[headers.signature] = signRequest(caller.privateKey, {
      method,
      path,
      shopId: caller.claimShopId ?? caller.shopId,
      timestamp,
      nonce,
      body: body ?? '',
    });
  }
  const response = await fetch(new URL(path, baseUrl), {
    method,
    headers: h,
    body: body === undefined || typeof body === 'string' ? body : Buffer.from(body),
  });
  const text = await response.text();
  return { status: response.status, body: jsonObjectOrNull(text), text };
}

/**
 * Announces a body of `declaredBytes` but sends only a little: a server must refuse from the
 * Content-Length alone, before reading (or buffering) the rest.
 */
export function oversizedRequest(
  baseUrl: string,
  method: string,
  path: string,
  declaredBytes: number,
  extraHeaders: Record<string, string> = {},
): Promise<RawAnswer> {
  const url = new URL(path, baseUrl);
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: url.hostname,
        port: url.port,
        method,
        path: url.pathname + url.search,
        headers: {
          'content-type': 'application/json',
          'content-length': String(declaredBytes),
          ...extraHeaders,
        },
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (text += c));
        res.on('end', () => {
          resolve({ status: res.statusCode ?? 0, body: jsonObjectOrNull(text), text });
          req.destroy();
        });
      },
    );
    req.on('error', reject);
    req.write('{"padding":"' + 'x'.repeat(1024));
  });
}

/** The parsed answer, or null when it is not JSON (a proxy page, a cut connection). */
export function jsonObjectOrNull(text: string): Record<string, unknown> | null {
  try {
    return JSON.parse(text) as Record<string, unknown>;
  } catch {
    return null;
  }
}
