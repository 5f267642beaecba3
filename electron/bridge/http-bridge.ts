import fastifyStatic from '@fastify/static';
import Fastify, { type FastifyInstance } from 'fastify';
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { existsSync } from 'node:fs';
import type { Backend } from '../backend/backend.ts';

export type BridgeOptions = {
  backend: Backend;
  port: number;
  /** Built renderer (vite output). */
  staticDir: string;
  /** Fixed secret for tests; a fresh random one otherwise. */
  secret?: string;
};

export type RunningBridge = {
  app: FastifyInstance;
  url: string;
  secret: string;
  close(): Promise<void>;
};

const maxBodyBytes = 64 * 1024 * 1024; // a large CSV import travels in one request

/**
 * Browser mode: the renderer's API over HTTP on loopback only. Every API request must carry
 * the per-launch secret (handed to the page in the URL fragment, which browsers never send to
 * servers) and a loopback Host header, so other local sites and DNS rebinding cannot call it.
 */
export async function startHttpBridge(options: BridgeOptions): Promise<RunningBridge> {
  const secret = options.secret ?? randomBytes(24).toString('base64url');
  const expected = Buffer.from(secret);
  const app = Fastify({ logger: false, bodyLimit: maxBodyBytes });

  const authorised = (header: string | undefined): boolean => {
    const given = Buffer.from(header?.replace(/^Bearer /, '') ?? '');
    return given.length === expected.length && timingSafeEqual(given, expected);
  };

  app.addHook('onRequest', async (request, reply) => {
    const host = request.headers.host ?? '';
    if (!/^(127\.0\.0\.1|localhost)(:\d+)?$/.test(host)) {
      return reply.code(421).send({
        ok: false,
        error: { code: 'bad-request', message: 'Browser mode answers on 127.0.0.1 only.' },
      });
    }
    reply.header('X-Content-Type-Options', 'nosniff');
    reply.header('X-Frame-Options', 'DENY');
    reply.header('Referrer-Policy', 'no-referrer');
    reply.header(
      'Content-Security-Policy',
      "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'none'",
    );
  });

  app.post<{ Params: { method: string } }>('/api/:method', async (request, reply) => {
    if (!authorised(request.headers.authorization)) {
      return reply.code(401).send({
        ok: false,
        error: {
          code: 'bad-request',
          message: 'Missing or wrong session secret: reopen the URL printed at start.',
        },
      });
    }
    const result = await options.backend.dispatch(request.params.method, request.body);
    const status = result.ok
      ? 200
      : { 'bad-request': 400, 'not-found': 404, conflict: 409, unavailable: 503, internal: 500 }[
          result.error.code
        ];
    return reply.code(status).send(result);
  });

  // EventSource cannot send headers, so the events stream takes the secret as a query value.
  app.get<{ Querystring: { secret?: string } }>('/api/events', (request, reply) => {
    if (!authorised(request.query.secret)) return reply.code(401).send();
    reply.hijack();
    reply.raw.writeHead(200, {
      'Content-Type': 'text/event-stream',
      'Cache-Control': 'no-store',
      Connection: 'keep-alive',
    });
    reply.raw.write(': connected\n\n');
    const unsubscribe = options.backend.context.events.subscribe((event) => {
      reply.raw.write(`data: ${JSON.stringify(event)}\n\n`);
    });
    request.raw.on('close', unsubscribe);
  });

  if (!existsSync(options.staticDir)) {
    throw new Error(
      `The app's user interface is not built (${options.staticDir} is missing): run \`npm run build\`.`,
    );
  }
  await app.register(fastifyStatic, { root: options.staticDir });

  await app.listen({ port: options.port, host: '127.0.0.1' });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : options.port;
  const url = `http://127.0.0.1:${port}/#secret=${secret}`;
  return { app, url, secret, close: () => app.close() };
}
