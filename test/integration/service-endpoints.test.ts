import { randomBytes } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { buildCoordinator } from '../../coordinator/app.ts';
import { createInvite } from '../../coordinator/store/shops.ts';
import type { CoordinatorStore } from '../../coordinator/store/sql.ts';
import {
  encodeFloat32,
  generateShopKeyPair,
  sha256Hex,
  signRequest,
  type ShopKeyPair,
} from '../../federated/protocol/index.ts';
import { httpClient, type HttpAnswer, type HttpRequest } from '../support/http-client.ts';
import { postgresTarget, sqliteTarget } from '../support/store-targets.ts';
import { operatorSession, parameterCount, silentLog } from './coordinator-harness.ts';

type Shop = { id: string; keys: ShopKeyPair };
const protocol = { 'x-breadcast-protocol': '1' };

/** Prometheus text → value of one sample, by name and exact label set (order as exposed). */
function sample(text: string, name: string, labels: Record<string, string> = {}): number {
  const wanted = Object.entries(labels);
  for (const line of text.split('\n')) {
    if (line.startsWith('#')) continue;
    const match = /^([a-z_:]+)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!match || match[1] !== name) continue;
    const found = new Map(
      [...(match[2] ?? '').matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1]!, m[2]!]),
    );
    if (found.size === wanted.length && wanted.every(([k, v]) => found.get(k) === v))
      return Number(match[3]);
  }
  return NaN;
}

async function started(store: CoordinatorStore) {
  const app = await buildCoordinator({
    db: store,
    logger: silentLog,
    initialWeights: () => new Float32Array(parameterCount),
    schedule: false,
  });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const address = app.server.address();
  if (!address || typeof address === 'string') throw new Error('no port');
  const url = `http://127.0.0.1:${address.port}`;
  return { app, url, http: httpClient(url) };
}

function signedRequest(shop: Shop, url: string, payload: unknown): HttpRequest {
  const body = JSON.stringify(payload);
  const timestamp = Date.now();
  const nonce = randomBytes(18).toString('base64url');
  return {
    method: 'POST',
    url,
    payload: body,
    headers: {
      ...protocol,
      'x-breadcast-shop': shop.id,
      'x-breadcast-timestamp': String(timestamp),
      'x-breadcast-nonce': nonce,
      'x-breadcast-signature': signRequest(shop.keys.privateKey, {
        method: 'POST',
        path: url,
        shopId: shop.id,
        timestamp,
        nonce,
        body,
      }),
    },
  };
}

async function enrol(
  app: FastifyInstance,
  http: (r: HttpRequest) => Promise<HttpAnswer>,
  name: string,
) {
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
  expect(answer.statusCode).toBe(200);
  return { id: answer.json().shopId as string, keys };
}

function update(modelVersion: number, values: number[]) {
  const delta = encodeFloat32(Float32Array.from(values));
  return {
    modelVersion,
    parameterCount: values.length,
    sampleCount: 30,
    encoding: 'f32le-base64',
    delta,
    sha256: sha256Hex(Buffer.from(delta, 'base64')),
  };
}

const closers: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close();
});

for (const target of [sqliteTarget(), postgresTarget()])
  describe.skipIf(target.skip)(`service endpoints over real HTTP (${target.kind})`, () => {
    beforeAll(() => target.start(), 120_000);
    afterAll(() => target.stop());

    it('/metrics counts rounds by phase, shops, uploads by outcome and reason, and request latency', async () => {
      const { store } = await target.fresh();
      closers.push(() => store.close());
      const { app, url, http } = await started(store);
      closers.push(() => app.close());
      const [a, b] = [await enrol(app, http, 'Bakery A'), await enrol(app, http, 'Bakery B')];
      // B was last seen two days ago: enrolled, but not active.
      await store.run('UPDATE shops SET last_seen_at = ? WHERE id = ?', [
        new Date(Date.now() - 48 * 3600_000).toISOString(),
        b.id,
      ]);
      const operator = await operatorSession(app, url);
      const opened = await operator.call('POST', '/v1/operator/rounds', {
        settings: { mode: 'plain', minShops: 2, clipNorm: 1 },
      });
      expect(opened.status).toBe(200);
      const roundId = opened.body.id as number;
      const modelVersion = opened.body.modelVersion as number;
      const path = `/v1/rounds/${roundId}/update`;
      const good = update(modelVersion, new Array<number>(parameterCount).fill(0.01));

      const scrape = async () => {
        const answer = await http('/metrics');
        expect(answer.statusCode).toBe(200);
        expect(answer.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
        return answer.body;
      };
      const during = await scrape();
      expect(sample(during, 'breadcast_rounds', { phase: 'collect' })).toBe(1);
      expect(sample(during, 'breadcast_rounds', { phase: 'published' })).toBe(0);
      expect(sample(during, 'breadcast_shops_enrolled')).toBe(2);
      expect(sample(during, 'breadcast_shops_active')).toBe(1);

      expect((await http(signedRequest(a, path, good))).statusCode).toBe(200);
      const again = await http(signedRequest(a, path, good));
      expect(again.json().duplicate).toBe(true);
      const short = await http(signedRequest(b, path, update(modelVersion, [0.01, 0.02])));
      expect(short.statusCode).toBe(400);
      expect(short.json().error).toBe('wrong-shape');
      const unsigned = await http({ method: 'POST', url: path, headers: protocol, payload: good });
      expect(unsigned.json().error).toBe('unauthenticated');

      const after = await scrape();
      const uploads = (outcome: string, reason: string) =>
        sample(after, 'breadcast_uploads_total', { mode: 'plain', outcome, reason });
      expect(uploads('accepted', 'stored')).toBe(1);
      expect(uploads('accepted', 'duplicate')).toBe(1);
      expect(uploads('refused', 'wrong-shape')).toBe(1);
      expect(uploads('refused', 'unauthenticated')).toBe(1);
      // B's signed request made it active again.
      expect(sample(after, 'breadcast_shops_active')).toBe(2);
      const latency = (status: string) =>
        sample(after, 'breadcast_http_request_duration_seconds_count', {
          method: 'POST',
          route: '/v1/rounds/:roundId/update',
          status_code: status,
        });
      expect(latency('200')).toBe(2);
      expect(latency('400')).toBe(1);
      expect(latency('401')).toBe(1);
      expect(
        sample(after, 'breadcast_http_request_duration_seconds_bucket', {
          le: '+Inf',
          method: 'POST',
          route: '/v1/rounds/:roundId/update',
          status_code: '200',
        }),
      ).toBe(2);

      // The second upload completes the round: it aggregates and publishes.
      expect(
        (
          await http(
            signedRequest(b, path, update(modelVersion, new Array(parameterCount).fill(0))),
          )
        ).statusCode,
      ).toBe(200);
      const published = await scrape();
      expect(sample(published, 'breadcast_rounds', { phase: 'published' })).toBe(1);
      expect(sample(published, 'breadcast_rounds', { phase: 'collect' })).toBe(0);
      expect(
        sample(published, 'breadcast_uploads_total', {
          mode: 'plain',
          outcome: 'accepted',
          reason: 'stored',
        }),
      ).toBe(2);
    });

    it('/ready answers 503 when the schema is not this version’s or the database is gone; /live still answers', async () => {
      const { store } = await target.fresh();
      let closed = false;
      closers.push(async () => {
        if (!closed) await store.close();
      });
      const { app, http } = await started(store);
      closers.push(() => app.close());
      expect((await http('/live')).json()).toEqual({ status: 'live' });
      expect((await http('/ready')).json()).toEqual({ status: 'ready' });

      // A newer coordinator on the same database added a step this version does not know.
      await store.run(
        "INSERT INTO schema_migrations (id, name, hash, applied_at) VALUES (99, 'from-the-future', 'x', '2027-01-01')",
      );
      const ahead = await http('/ready');
      expect(ahead.statusCode).toBe(503);
      expect(ahead.json()).toMatchObject({ status: 'not-ready', reason: 'migrations-ahead' });
      await store.run('DELETE FROM schema_migrations WHERE id = 99');

      const [first] = await store.all<{ hash: string }>(
        'SELECT hash FROM schema_migrations WHERE id = 1',
      );
      await store.run("UPDATE schema_migrations SET hash = 'edited' WHERE id = 1");
      const differs = await http('/ready');
      expect(differs.statusCode).toBe(503);
      expect(differs.json().reason).toBe('migrations-differ');
      await store.run('UPDATE schema_migrations SET hash = ? WHERE id = 1', [first!.hash]);
      expect((await http('/ready')).statusCode).toBe(200);

      await store.run(
        'DELETE FROM schema_migrations WHERE id = (SELECT MAX(id) FROM schema_migrations)',
      );
      expect((await http('/ready')).json().reason).toBe('migrations-behind');

      // The database goes away: the SQLite file's connection closes, the PostgreSQL server stops.
      if (target.kind === 'sqlite') {
        await store.close();
        closed = true;
      } else await target.stop();
      const gone = await http('/ready');
      expect(gone.statusCode).toBe(503);
      expect(gone.json().reason).toBe('database-unreachable');
      expect((await http('/live')).statusCode).toBe(200);
    });
  });
