import { createServer, connect, type Server, type Socket } from 'node:net';

/**
 * What to do with one request, given its first line (`POST /v1/... HTTP/1.1`): pass it whole
 * (null), or reset the connection after `at` bytes of the request or of its answer.
 */
export type CutPolicy = (
  requestLine: string,
) => { during: 'request' | 'answer'; at: number } | null;
export type Cut = { request: string; during: 'request' | 'answer' };

/**
 * A TCP proxy in front of the coordinator that cuts connections mid-request or mid-answer:
 * the client sees a reset socket, the server may or may not have received (and acted on) the
 * whole request. That is the ambiguity retries must survive without counting anything twice.
 */
export async function startFlakyProxy(
  upstreamPort: number,
  policy: { current: CutPolicy },
): Promise<{ url: string; cuts: () => Cut[]; requests: () => number; close(): Promise<void> }> {
  let requests = 0;
  const cutLog: Cut[] = [];
  const sockets = new Set<Socket>();
  const server: Server = createServer((client) => {
    const upstream = connect(upstreamPort, '127.0.0.1');
    sockets.add(client).add(upstream);
    // Keep-alive sockets carry many requests: each new request draws its own fate.
    let answering = true;
    let fate: ReturnType<CutPolicy> = null;
    let requestLine = '';
    let seen = 0;
    let dead = false;
    const cut = () => {
      dead = true;
      cutLog.push({ request: requestLine, during: fate!.during });
      client.resetAndDestroy();
      upstream.destroy();
    };
    const pipe = (from: Socket, to: Socket, direction: 'request' | 'answer') =>
      from.on('data', (chunk: Buffer) => {
        if (dead) return;
        if (direction === 'request' && answering) {
          answering = false;
          requests++;
          requestLine = chunk.subarray(0, 100).toString('latin1').split('\r\n')[0]!;
          fate = policy.current(requestLine);
          seen = 0;
        } else if (direction === 'answer' && !answering) {
          answering = true;
          seen = 0;
        }
        if (fate && fate.during === direction && seen + chunk.length > fate.at) {
          const keep = Math.max(0, fate.at - seen);
          if (keep > 0) to.write(chunk.subarray(0, keep));
          // Let the partial bytes reach the other side before the reset.
          dead = true;
          setTimeout(() => {
            dead = false;
            cut();
          }, 5);
          return;
        }
        seen += chunk.length;
        to.write(chunk);
      });
    pipe(client, upstream, 'request');
    pipe(upstream, client, 'answer');
    const end = () => {
      client.destroy();
      upstream.destroy();
      sockets.delete(client);
      sockets.delete(upstream);
    };
    client.on('error', end).on('close', end);
    upstream.on('error', end).on('close', end);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (!address || typeof address === 'string') throw new Error('no proxy port');
  return {
    url: `http://127.0.0.1:${address.port}`,
    cuts: () => cutLog,
    requests: () => requests,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
