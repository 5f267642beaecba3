import { Agent, createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import { formatLoadResult, runLoadScenario } from '../../simulation/load/load-scenario.ts';
import { retrying, send, StatusError } from '../../simulation/load/load-tools.ts';

// The shortened CI run; `npm run bench` runs the full 500 shops within one minute.
describe('load: many shops checking in and uploading against one coordinator', () => {
  it('100 shops with their own identities, signed requests spread over 8 s: every shop uploads, the round publishes, latencies reported', async () => {
    const result = await runLoadScenario({ shops: 100, spreadMs: 8_000 });
    console.log(formatLoadResult(result).join('\n'));
    expect(result.shopsFailed).toBe(0);
    expect(result.requests).toBe(400 + result.retries);
    expect(result.round).toMatchObject({ phase: 'published', uploads: 100, resultVersion: 2 });
    expect(result.round.endedAfterMs).toBeGreaterThan(0);
  });
});

describe('a load shop’s step retries', () => {
  let server: Server | undefined;
  afterAll(() => new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined))));

  it('a connection cut by the server and a 503 are tried again; a 409 is not', async () => {
    let calls = 0;
    server = createServer((request, response) => {
      calls++;
      if (request.url === '/cut' && calls === 1) return request.socket.destroy();
      if (request.url === '/busy' && calls <= 3) return response.writeHead(503).end('busy');
      if (request.url === '/refused') return response.writeHead(409).end('no');
      response.end('ok');
    });
    await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const agent = new Agent({ keepAlive: true });
    const get = (path: string) => async () => {
      const answer = await send(agent, `${url}${path}`, 'GET', null, {});
      if (answer.status !== 200) throw new StatusError(answer.status, answer.text);
      return answer.text;
    };
    const quick = { attempts: 6, timeScale: 1 / 1000 };
    const heard: unknown[] = [];
    expect(await retrying(get('/cut'), (e) => heard.push(e), quick)).toBe('ok');
    expect(heard).toHaveLength(1);
    expect((heard[0] as { code?: string }).code).toMatch(/^E/);

    calls = 1;
    heard.length = 0;
    expect(await retrying(get('/busy'), (e) => heard.push(e), quick)).toBe('ok');
    expect(heard.map((e) => (e as StatusError).status)).toEqual([503, 503]);

    heard.length = 0;
    await expect(retrying(get('/refused'), (e) => heard.push(e), quick)).rejects.toMatchObject({
      status: 409,
    });
    expect(heard).toEqual([]);
    agent.destroy();
  });
});
