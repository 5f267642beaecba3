/**
 * A lying coordinator over real HTTP: a proxy in front of the real coordinator that can rewrite
 * what each shop is shown (the secure round's view and its documents) and answer a shop's messages itself
 * instead of forwarding them. Shops authenticate their requests but not the answers — the
 * coordinator's word is exactly what the protocol must not trust — so whatever this proxy says
 * is what a cheating coordinator could say. It keeps every body a shop sent, which is all the
 * attacker collects.
 */
import { createServer, request as httpRequest, type Server } from 'node:http';
import { headers } from '../../federated/protocol/index.ts';
import type { SecureRoundView } from '../../federated/secagg/round-http.ts';

export type SecureKind = 'advertise' | 'shares' | 'masked' | 'confirm' | 'unmask';

export type Sent = { shopId: string; kind: SecureKind; roundId: number; body: Buffer };

export type SecureDocument = 'roster' | 'share-keys' | 'inbox' | 'survivors' | 'unmask-request';

export type Lies = {
  /** Rewrites the view a shop polls (null: answer as the real coordinator did). */
  view?: (shopId: string, view: SecureRoundView) => SecureRoundView | null;
  /**
   * Rewrites a document a shop reads (`real`: the coordinator's, null when it refused); null:
   * answer as the real coordinator did.
   */
  document?: (shopId: string, name: SecureDocument, real: unknown) => unknown;
  /** Answers a shop's message without forwarding it (false: forward). */
  swallow?: (sent: Sent) => boolean;
  /** Forwards the message but never answers the shop (it waits until it is killed). */
  hold?: (sent: Sent) => boolean;
};

const viewPath = /^\/v1\/rounds\/(\d+)\/secagg$/;
const documentPath =
  /^\/v1\/rounds\/(\d+)\/secagg\/(roster|share-keys|inbox|survivors|unmask-request)$/;
const postPath = /^\/v1\/rounds\/(\d+)\/secagg\/(advertise|shares|masked|confirm|unmask)$/;

export async function startLyingCoordinator(
  upstreamPort: number,
  lies: Lies,
): Promise<{
  url: string;
  sent: Sent[];
  /** Messages forwarded whose answer was kept from the shop, with the coordinator's status. */
  held: (Sent & { status: number })[];
  close(): Promise<void>;
}> {
  const sent: Sent[] = [];
  const held: (Sent & { status: number })[] = [];
  const server: Server = createServer((incoming, outgoing) => {
    const chunks: Buffer[] = [];
    incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
    incoming.on('end', () => {
      const body = Buffer.concat(chunks);
      const shopId = String(incoming.headers[headers.shop] ?? '');
      const path = incoming.url ?? '';
      const post = incoming.method === 'POST' ? postPath.exec(path) : null;
      let holding: Sent | null = null;
      if (post) {
        const message: Sent = {
          shopId,
          kind: post[2] as SecureKind,
          roundId: Number(post[1]),
          body,
        };
        sent.push(message);
        if (lies.swallow?.(message)) {
          const ack = JSON.stringify({
            roundId: message.roundId,
            accepted: true,
            duplicate: false,
            receivedAt: new Date().toISOString(),
          });
          outgoing.writeHead(200, { 'content-type': 'application/json' });
          outgoing.end(ack);
          return;
        }
        if (lies.hold?.(message)) holding = message;
      }
      const get = incoming.method === 'GET';
      const document = get ? documentPath.exec(path) : null;
      const rewrite: ((status: number, real: unknown) => unknown) | null =
        get && viewPath.test(path) && lies.view
          ? (status, real) => (status === 200 ? lies.view!(shopId, real as SecureRoundView) : null)
          : document && lies.document
            ? (status, real) =>
                lies.document!(shopId, document[2] as SecureDocument, status === 200 ? real : null)
            : null;
      const forward = httpRequest(
        {
          host: '127.0.0.1',
          port: upstreamPort,
          method: incoming.method,
          path,
          headers: incoming.headers,
        },
        (answer) => {
          if (holding) {
            const kept = holding;
            answer.resume();
            answer.on('end', () => held.push({ ...kept, status: answer.statusCode ?? 0 }));
            return;
          }
          if (!rewrite) {
            outgoing.writeHead(answer.statusCode ?? 502, answer.headers);
            answer.pipe(outgoing);
            return;
          }
          const parts: Buffer[] = [];
          answer.on('data', (c: Buffer) => parts.push(c));
          answer.on('end', () => {
            const status = answer.statusCode ?? 502;
            const bytes = Buffer.concat(parts);
            const real: unknown = bytes.length ? JSON.parse(bytes.toString('utf8')) : null;
            const told = rewrite(status, real);
            if (told === null || told === undefined) {
              outgoing.writeHead(status, answer.headers);
              outgoing.end(bytes);
              return;
            }
            const text = JSON.stringify(told);
            const { 'content-length': _length, etag: _etag, ...rest } = answer.headers;
            outgoing.writeHead(200, { ...rest, 'content-length': Buffer.byteLength(text) });
            outgoing.end(text);
          });
        },
      );
      forward.on('error', () => outgoing.destroy());
      forward.end(body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (!address || typeof address === 'string') throw new Error('no proxy port');
  return {
    url: `http://127.0.0.1:${address.port}`,
    sent,
    held,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
