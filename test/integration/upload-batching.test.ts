import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { createInvite } from '../../coordinator/store/shops.ts';
import {
  encodeFloat32,
  generateShopKeyPair,
  sha256Hex,
  signRequest,
} from '../../federated/protocol/index.ts';
import { httpClient, type HttpAnswer, type HttpRequest } from '../support/http-client.ts';
import {
  operatorSession,
  parameterCount,
  startCoordinator,
  tempDir,
} from './coordinator-harness.ts';

const protocol = { 'x-breadcast-protocol': '1' };
let app: FastifyInstance;
let url: string;
let http: (r: HttpRequest) => Promise<HttpAnswer>;

beforeAll(async () => {
  ({ app, url } = await startCoordinator(join(tempDir('breadcast-batching-'), 'c.db')));
  http = httpClient(url);
});
afterAll(() => app.close());

async function enrol(name: string) {
  const keys = generateShopKeyPair();
  const inviteCode = await createInvite(
    app.coordinator.store,
    { expiresAt: new Date(Date.now() + 3600_000), operatorId: null },
    new Date(),
  );
  const answer = await http({
    method: 'POST',
    url: '/v1/enrol',
    headers: protocol,
    payload: { inviteCode, shopName: name, appVersion: '0.1.0', publicKey: keys.publicKey },
  });
  return { id: answer.json().shopId as string, keys };
}

function signed(shop: Awaited<ReturnType<typeof enrol>>, path: string, payload: unknown) {
  const body = JSON.stringify(payload);
  const timestamp = Date.now();
  const nonce = randomBytes(18).toString('base64url');
  return {
    method: 'POST',
    url: path,
    payload: body,
    headers: {
      ...protocol,
      'x-breadcast-shop': shop.id,
      'x-breadcast-timestamp': String(timestamp),
      'x-breadcast-nonce': nonce,
      'x-breadcast-signature': signRequest(shop.keys.privateKey, {
        method: 'POST',
        path,
        shopId: shop.id,
        timestamp,
        nonce,
        body,
      }),
    },
  };
}

describe('uploads arriving together share their writes', () => {
  it('a request and its replay sent at once: one is answered, the other refused as replayed; a burst of shops completes the round once', async () => {
    const shops = [];
    for (let i = 0; i < 12; i++) shops.push(await enrol(`Bakery ${i}`));
    const operator = await operatorSession(app, url);
    const opened = await operator.call('POST', '/v1/operator/rounds', {
      settings: { mode: 'plain', minShops: shops.length, clipNorm: 1 },
    });
    const path = `/v1/rounds/${opened.body.id}/update`;
    const update = (value: number) => {
      const delta = encodeFloat32(new Float32Array(parameterCount).fill(value));
      return {
        modelVersion: opened.body.modelVersion,
        parameterCount,
        sampleCount: 30,
        encoding: 'f32le-base64',
        delta,
        sha256: sha256Hex(Buffer.from(delta, 'base64')),
      };
    };
    // The same signed bytes twice in one turn of the server's event loop.
    const first = signed(shops[0]!, path, update(0.01));
    const twice = await Promise.all([http(first), http(first)]);
    expect(twice.map((a) => a.statusCode).sort()).toEqual([200, 401]);
    expect(twice.find((a) => a.statusCode === 401)!.json().error).toBe('replayed');

    const rest = await Promise.all(
      shops.slice(1).map((shop, i) => http(signed(shop, path, update(0.001 * (i + 1))))),
    );
    expect(rest.map((a) => a.statusCode)).toEqual(new Array(shops.length - 1).fill(200));
    const round = await operator.call('GET', `/v1/operator/rounds/${opened.body.id}`);
    expect(round.body.phase).toBe('published');
    const rows = await app.coordinator.store.all<{ c: number }>(
      'SELECT COUNT(*) AS c FROM updates WHERE round_id = ?',
      [opened.body.id as number],
    );
    expect(rows[0]!.c).toBe(shops.length);
    const seen = await app.coordinator.store.all<{ c: number }>(
      'SELECT COUNT(*) AS c FROM shops WHERE last_seen_at >= ?',
      [new Date(Date.now() - 60_000).toISOString()],
    );
    expect(seen[0]!.c).toBe(shops.length);
  });
});
