import { createServer, request, type IncomingMessage, type ServerResponse } from 'node:http';

/**
 * A load balancer in front of several coordinator instances, as an association would run one:
 * each HTTP request goes to the next instance in turn, on a fresh connection. An instance that
 * refuses the connection (it is down) is skipped, which is safe because it received nothing;
 * one that fails after the request went out answers 502, and the client retries as it would
 * behind any balancer.
 */
export type RoundRobinProxy = {
  url: string;
  /** Requests each backend port answered. */
  served: () => Map<number, number>;
  close(): Promise<void>;
};

function readBody(message: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    message.on('data', (chunk: Buffer) => chunks.push(chunk));
    message.on('end', () => resolve(Buffer.concat(chunks)));
    message.on('error', reject);
  });
}

function forward(
  port: number,
  incoming: IncomingMessage,
  body: Buffer,
  outgoing: ServerResponse,
): Promise<void> {
  return new Promise((resolve, reject) => {
    const upstream = request(
      {
        host: '127.0.0.1',
        port,
        method: incoming.method,
        path: incoming.url,
        headers: { ...incoming.headers, connection: 'close' },
        agent: false,
      },
      (answer) => {
        outgoing.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(outgoing);
        answer.on('end', resolve);
        answer.on('error', () => {
          outgoing.destroy();
          resolve();
        });
      },
    );
    upstream.on('error', reject);
    upstream.end(body);
  });
}

export async function startRoundRobinProxy(backends: () => number[]): Promise<RoundRobinProxy> {
  let next = 0;
  const served = new Map<number, number>();
  const server = createServer((incoming, outgoing) => {
    void (async () => {
      const body = await readBody(incoming);
      const ports = backends();
      for (let tried = 0; tried < ports.length; tried++) {
        const port = ports[next++ % ports.length]!;
        try {
          await forward(port, incoming, body, outgoing);
          served.set(port, (served.get(port) ?? 0) + 1);
          return;
        } catch (error) {
          if ((error as { code?: string }).code === 'ECONNREFUSED' && !outgoing.headersSent)
            continue;
          break;
        }
      }
      if (!outgoing.headersSent)
        outgoing
          .writeHead(502, { 'content-type': 'application/json' })
          .end(
            JSON.stringify({ error: 'bad-gateway', message: 'No coordinator instance answered.' }),
          );
      else outgoing.destroy();
    })();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (!address || typeof address === 'string') throw new Error('proxy has no port');
  return {
    url: `http://127.0.0.1:${address.port}`,
    served: () => new Map(served),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
