import type { CustomScheme } from 'electron';
import { readFile, stat } from 'node:fs/promises';
import { extname, normalize, resolve, sep } from 'node:path';
import { appHost, appScheme, contentSecurityPolicy } from './security.ts';

/**
 * app:// behaves like https for the page (standard URL parsing, secure context, fetch and
 * same-origin checks) without the extra powers file:// pages get. Must be registered before
 * the app is ready.
 */
export const appSchemePrivileges: CustomScheme = {
  scheme: appScheme,
  privileges: { standard: true, secure: true, supportFetchAPI: true, corsEnabled: false },
};

const mimeTypes: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.woff': 'font/woff',
  '.wasm': 'application/wasm',
  '.txt': 'text/plain; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
};

function securityHeaders(contentType?: string): Headers {
  const headers = new Headers({
    'Content-Security-Policy': contentSecurityPolicy,
    'X-Content-Type-Options': 'nosniff',
    'Cross-Origin-Opener-Policy': 'same-origin',
    'Referrer-Policy': 'no-referrer',
    'Cache-Control': 'no-cache',
  });
  if (contentType) headers.set('Content-Type', contentType);
  return headers;
}

function refuse(status: number, text: string): Response {
  return new Response(text, { status, headers: securityHeaders('text/plain; charset=utf-8') });
}

/**
 * Maps an app:// URL to a file under root, or null when it would leave root. The URL parser
 * resolves dot segments, but percent-encoded ones (%2e%2e, %2f, %5c) survive it, so the decoded
 * path is normalised again and must still sit inside root.
 */
export function resolveAppPath(root: string, requestUrl: string): string | null {
  let url: URL;
  try {
    url = new URL(requestUrl);
  } catch {
    return null;
  }
  if (url.protocol !== `${appScheme}:` || url.host !== appHost) return null;
  let pathname: string;
  try {
    pathname = decodeURIComponent(url.pathname);
  } catch {
    return null;
  }
  if (pathname.includes('\0') || pathname.includes('\\')) return null;
  const relative = normalize(pathname === '/' ? '/index.html' : pathname).replace(/^[/\\]+/, '');
  const base = resolve(root);
  const file = resolve(base, relative);
  if (file !== base && !file.startsWith(base + sep)) return null;
  return file;
}

/**
 * Serves the built renderer (dist/renderer) for app://breadcast/. Read-only: only GET/HEAD,
 * only files under root, and every response carries the CSP.
 */
export function createAppProtocolHandler(root: string): (request: Request) => Promise<Response> {
  return async (request) => {
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      return refuse(405, 'Method not allowed');
    }
    const file = resolveAppPath(root, request.url);
    if (file === null) return refuse(403, 'Forbidden');
    try {
      const info = await stat(file);
      if (!info.isFile()) return refuse(404, 'Not found');
      const body = request.method === 'HEAD' ? null : await readFile(file);
      const type = mimeTypes[extname(file).toLowerCase()] ?? 'application/octet-stream';
      return new Response(body, { status: 200, headers: securityHeaders(type) });
    } catch {
      return refuse(404, 'Not found');
    }
  };
}
