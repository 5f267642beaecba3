import { createHash } from 'node:crypto';
import { createServer, request as httpRequest, type Server } from 'node:http';

export type Recorded = {
  method: string;
  path: string;
  bytes: number;
  sha256: string;
  headers: Record<string, string | string[] | undefined>;
};

/**
 * An HTTP proxy in front of the coordinator that writes down every request it forwards (method,
 * path, exact body size and SHA-256, headers), as an outside witness of what left a bakery.
 */
export async function startRecordingProxy(
  upstreamPort: number,
): Promise<{ url: string; requests: Recorded[]; close(): Promise<void> }> {
  const requests: Recorded[] = [];
  const server: Server = createServer((incoming, outgoing) => {
    const chunks: Buffer[] = [];
    incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
    incoming.on('end', () => {
      const body = Buffer.concat(chunks);
      requests.push({
        method: incoming.method!,
        path: incoming.url!,
        bytes: body.length,
        sha256: createHash('sha256').update(body).digest('hex'),
        headers: { ...incoming.headers },
      });
      const forward = httpRequest(
        {
          host: '127.0.0.1',
          port: upstreamPort,
          method: incoming.method,
          path: incoming.url,
          headers: incoming.headers,
        },
        (answer) => {
          outgoing.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(outgoing);
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
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
