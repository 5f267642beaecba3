import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildCoordinator } from '../../coordinator/app.ts';
import { createOperator } from '../../coordinator/operator/accounts.ts';
import { createInvite } from '../../coordinator/store/shops.ts';
import {
  encodeFloat32,
  generateShopKeyPair,
  sha256Hex,
  signRequest,
  type ShopKeyPair,
} from '../../federated/protocol/index.ts';
import { httpClient, type HttpAnswer, type HttpRequest } from '../support/http-client.ts';
import { silentLog, tempDir } from './coordinator-harness.ts';

const size = 4;
let clock = Date.parse('2026-11-27T22:00:00Z');
const now = () => new Date(clock);
let app: FastifyInstance;
let http: (request: HttpRequest) => Promise<HttpAnswer>;
type Shop = { id: string; keys: ShopKeyPair };
const protocol = { 'x-breadcast-protocol': '1' };

function signedHeaders(
  shop: Shop,
  method: string,
  url: string,
  body: string,
  overrides: { timestamp?: number; nonce?: string; key?: string } = {},
) {
  const timestamp = overrides.timestamp ?? clock;
  const nonce = overrides.nonce ?? randomBytes(18).toString('base64url');
  return {
    ...protocol,
    'content-type': 'application/json',
    'x-breadcast-shop': shop.id,
    'x-breadcast-timestamp': String(timestamp),
    'x-breadcast-nonce': nonce,
    'x-breadcast-signature': signRequest(overrides.key ?? shop.keys.privateKey, {
      method,
      path: url,
      shopId: shop.id,
      timestamp,
      nonce,
      body,
    }),
  };
}

async function signed(shop: Shop, method: 'GET' | 'POST', url: string, payload?: unknown) {
  const body = payload === undefined ? '' : JSON.stringify(payload);
  const response = await http({
    method,
    url,
    headers: signedHeaders(shop, method, url, body),
    payload: body || undefined,
  });
  return {
    status: response.statusCode,
    body: response.body ? JSON.parse(response.body) : null,
    headers: response.headers,
  };
}

async function enrol(name: string, code?: string): Promise<Shop> {
  const keys = generateShopKeyPair();
  const inviteCode =
    code ??
    (await createInvite(
      app.coordinator.store,
      { expiresAt: new Date(clock + 3600_000), operatorId: null },
      now(),
    ));
  const response = await http({
    method: 'POST',
    url: '/v1/enrol',
    headers: protocol,
    payload: { inviteCode, shopName: name, appVersion: '0.1.0', publicKey: keys.publicKey },
  });
  expect(response.statusCode, response.body).toBe(200);
  return { id: response.json().shopId, keys };
}

function update(values: number[], overrides: Record<string, unknown> = {}) {
  const delta = encodeFloat32(Float32Array.from(values));
  return {
    modelVersion: 1,
    parameterCount: size,
    sampleCount: 10,
    encoding: 'f32le-base64',
    delta,
    sha256: sha256Hex(Buffer.from(delta, 'base64')),
    ...overrides,
  };
}

let operator: { cookie: string; csrf: string };
let a: Shop;
let b: Shop;

beforeAll(async () => {
  app = await buildCoordinator({
    db: join(tempDir('breadcast-refusals-'), 'coordinator.sqlite'),
    logger: silentLog,
    now,
    initialWeights: () => new Float32Array(size),
    schedule: false,
    maxUpdateBytes: 4096,
  });
  http = httpClient(await app.listen({ host: '127.0.0.1', port: 0 }));
  await createOperator(app.coordinator.store, 'ops', 'correct horse battery');
  const login = await http({
    method: 'POST',
    url: '/v1/operator/login',
    payload: { name: 'ops', password: 'correct horse battery' },
  });
  operator = {
    cookie: login.headers['set-cookie']!.toString().split(';')[0]!,
    csrf: login.json().csrfToken,
  };
  a = await enrol('A');
  b = await enrol('B');
});
afterAll(() => app.close());

const op = (method: 'GET' | 'POST' | 'PUT', url: string, payload?: unknown, csrf = true) =>
  http({
    method,
    url,
    payload: payload as object,
    headers: { cookie: operator.cookie, ...(csrf ? { 'x-csrf-token': operator.csrf } : {}) },
  });

describe('enrolment and shop authentication', () => {
  it('refuses an unknown, reused or expired invite and a key that is not Ed25519', async () => {
    const keys = generateShopKeyPair();
    const send = (inviteCode: string, publicKey = keys.publicKey) =>
      http({
        method: 'POST',
        url: '/v1/enrol',
        headers: protocol,
        payload: { inviteCode, shopName: 'X', appVersion: '1', publicKey },
      });
    expect((await send('NOPE-NOPE-NOPE')).json().error).toBe('unknown-invite');
    const code = await createInvite(
      app.coordinator.store,
      { expiresAt: new Date(clock + 60_000), operatorId: null },
      now(),
    );
    await enrol('C', code);
    expect((await send(code)).json()).toMatchObject({ error: 'used-invite' });
    const expiring = await createInvite(
      app.coordinator.store,
      { expiresAt: new Date(clock + 60_000), operatorId: null },
      now(),
    );
    clock += 61_000;
    const expired = await send(expiring);
    expect(expired.statusCode).toBe(403);
    expect(expired.json().error).toBe('expired-invite');
    const fresh = await createInvite(
      app.coordinator.store,
      { expiresAt: new Date(clock + 60_000), operatorId: null },
      now(),
    );
    expect(
      (
        await send(
          fresh,
          Buffer.from('not a key at all, not at all, not at all').toString('base64'),
        )
      ).json().error,
    ).toBe('bad-key');
  });

  it('refuses requests without credentials, signed by another key, replayed, stale, tampered or from an old app', async () => {
    const url = '/v1/rounds/current';
    expect((await http({ method: 'GET', url, headers: protocol })).json().error).toBe(
      'unauthenticated',
    );
    // B's id with A's key: another shop's identity.
    const forged = await http({
      method: 'GET',
      url,
      headers: signedHeaders(b, 'GET', url, '', { key: a.keys.privateKey }),
    });
    expect([forged.statusCode, forged.json().error]).toEqual([401, 'bad-signature']);
    const headers = signedHeaders(a, 'GET', url, '');
    expect((await http({ method: 'GET', url, headers })).statusCode).toBe(200);
    const replay = await http({ method: 'GET', url, headers });
    expect([replay.statusCode, replay.json().error]).toEqual([401, 'replayed']);
    const stale = await http({
      method: 'GET',
      url,
      headers: signedHeaders(a, 'GET', url, '', { timestamp: clock - 3 * 3600_000 }),
    });
    expect(stale.statusCode).toBe(401);
    expect(stale.json().error).toBe('clock-skew');
    expect(stale.json().message).toMatch(/3 hours behind/);
    expect(Date.parse(stale.json().serverTime)).toBe(clock);
    const body = JSON.stringify({ n: 5, pinball: 0.1, wape: 0.2 });
    const tampered = await http({
      method: 'POST',
      url: '/v1/models/1/metrics',
      headers: signedHeaders(a, 'POST', '/v1/models/1/metrics', body),
      payload: JSON.stringify({ n: 500, pinball: 0.1, wape: 0.2 }),
    });
    expect(tampered.json().error).toBe('bad-signature');
    const old = await http({
      method: 'GET',
      url,
      headers: { ...signedHeaders(a, 'GET', url, ''), 'x-breadcast-protocol': '0' },
    });
    expect(old.statusCode).toBe(426);
    expect(old.json().message).toMatch(/please update/i);
  });

  it('keeps shop credentials out of operator routes and requires the CSRF token for changes', async () => {
    const asShop = await http({
      method: 'GET',
      url: '/v1/operator/shops',
      headers: signedHeaders(a, 'GET', '/v1/operator/shops', ''),
    });
    expect(asShop.statusCode).toBe(401);
    expect((await op('GET', '/v1/operator/shops')).statusCode).toBe(200);
    const noCsrf = await op('POST', '/v1/operator/invites', { expiresInHours: 1 }, false);
    expect([noCsrf.statusCode, noCsrf.json().error]).toEqual([403, 'csrf']);
    // A token of the right length that is not this session's: compared, not only looked for.
    const otherCsrf = await http({
      method: 'POST',
      url: '/v1/operator/invites',
      payload: { expiresInHours: 1 },
      headers: { cookie: operator.cookie, 'x-csrf-token': 'x'.repeat(operator.csrf.length) },
    });
    expect([otherCsrf.statusCode, otherCsrf.json().error]).toEqual([403, 'csrf']);
    const wrong = await http({
      method: 'POST',
      url: '/v1/operator/login',
      payload: { name: 'ops', password: 'wrong password!' },
    });
    expect(wrong.statusCode).toBe(401);
    const cookie = (await op('GET', '/v1/operator/session')).json();
    expect(cookie.operator).toBe('ops');
  });
});

describe('update validation', () => {
  it('accepts one valid update per shop and refuses every malformed or repeated one', async () => {
    const round = (
      await op('POST', '/v1/operator/rounds', {
        settings: { mode: 'plain', clipNorm: 1, minShops: 2, deadlines: { collectSeconds: 600 } },
      })
    ).json();
    expect(round.phase).toBe('collect');
    const url = `/v1/rounds/${round.id}/update`;
    const refusal = async (payload: unknown, status: number, error: string) => {
      const response = await signed(a, 'POST', url, payload);
      expect([response.status, response.body.error], JSON.stringify(response.body)).toEqual([
        status,
        error,
      ]);
    };
    await refusal(update([0.1, 0.2, 0.3, 0.4], { modelVersion: 2 }), 409, 'wrong-model');
    await refusal(update([0.1, 0.2, 0.3], { parameterCount: 3 }), 400, 'wrong-shape');
    await refusal(update([0.1, 0.2, 0.3]), 400, 'wrong-shape');
    await refusal(
      update([0.1, 0.2, 0.3, 0.4], { sha256: sha256Hex('other') }),
      400,
      'hash-mismatch',
    );
    await refusal(update([0.1, NaN, 0.3, 0.4]), 400, 'not-finite');
    await refusal(update([0.1, Infinity, 0.3, 0.4]), 400, 'not-finite');
    await refusal(update([1, 1, 0, 0]), 400, 'norm-exceeded');
    await refusal(
      { ...update([0.1, 0.2, 0.3, 0.4]), delta: `${update([0.1, 0.2, 0.3, 0.4]).delta}\n` },
      400,
      'wrong-shape',
    );
    await refusal({ modelVersion: 1 }, 400, 'invalid-request');
    await refusal(update(new Array<number>(2000).fill(0)), 413, 'too-large');
    const wrongRound = await signed(
      a,
      'POST',
      `/v1/rounds/${round.id + 5}/update`,
      update([0, 0, 0, 0]),
    );
    expect(wrongRound.status).toBe(404);
    const raw = await http({
      method: 'POST',
      url,
      headers: signedHeaders(a, 'POST', url, '{"modelVersion":'),
      payload: '{"modelVersion":',
    });
    expect(raw.json().error).toBe('bad-json');

    const good = update([0.3, 0.4, 0, 0]);
    const first = await signed(a, 'POST', url, good);
    expect(first.body).toMatchObject({ accepted: true, duplicate: false });
    const again = await signed(a, 'POST', url, good);
    expect(again.body).toMatchObject({
      accepted: true,
      duplicate: true,
      receivedAt: first.body.receivedAt,
    });
    await refusal(update([0.4, 0.3, 0, 0]), 409, 'already-uploaded');
    const stored = (await app.coordinator.store.get<{ c: number }>(
      'SELECT COUNT(*) AS c FROM updates WHERE round_id = ?',
      [round.id],
    ))!;
    expect(stored.c).toBe(1);

    // B checks in but never uploads: a dropout once the phase closes.
    expect((await signed(b, 'POST', `/v1/rounds/${round.id}/checkin`, {})).status).toBe(200);
    // Revoked shops are refused everywhere, including the round they joined.
    expect((await op('POST', `/v1/operator/shops/${b.id}/revoke`)).statusCode).toBe(200);
    const revoked = await signed(b, 'POST', url, update([0, 0, 0.1, 0]));
    expect([revoked.status, revoked.body.error]).toEqual([403, 'revoked']);

    // Closing with one update when two are needed fails the round cleanly.
    const closed = (await op('POST', `/v1/operator/rounds/${round.id}/close-phase`)).json();
    expect(closed.phase).toBe('failed');
    expect(closed.failureReason).toMatch(/only 1 shop sent an update.*at least 2/);
    expect(
      await app.coordinator.store.get(
        'SELECT dropped_in FROM round_participants WHERE round_id = ? AND shop_id = ?',
        [round.id, b.id],
      ),
    ).toEqual({ dropped_in: 'collect' });
    const late = await signed(await enrol('Late'), 'POST', url, update([0, 0.3, 0.4, 0]));
    expect([late.status, late.body.error]).toEqual([409, 'wrong-phase']);
    // A failed round keeps no update: only hashes and norms stay.
    expect(
      await app.coordinator.store.get('SELECT delta, norm FROM updates WHERE round_id = ?', [
        round.id,
      ]),
    ).toMatchObject({ delta: null, norm: expect.closeTo(0.5, 6) });
  });

  it('fails a round at its deadline when too few shops took part', async () => {
    const round = (
      await op('POST', '/v1/operator/rounds', {
        settings: { mode: 'plain', minShops: 3, deadlines: { collectSeconds: 1 } },
      })
    ).json();
    clock += 1500;
    await new Promise((resolve) => setTimeout(resolve, 1300));
    const after = (await op('GET', `/v1/operator/rounds/${round.id}`)).json();
    expect(after.phase).toBe('failed');
    expect(after.failureReason).toMatch(/only 0 shops/);
  });
});

describe('model registry', () => {
  it('serves the current model with an ETag, refuses per-shop metrics in the clear, and rolls back', async () => {
    const current = await signed(a, 'GET', '/v1/models/current');
    expect(current.status).toBe(200);
    expect(current.headers.etag).toBe(`"${current.body.sha256}"`);
    const url = '/v1/models/current';
    const cached = await http({
      method: 'GET',
      url,
      headers: {
        ...signedHeaders(a, 'GET', url, ''),
        'if-none-match': current.headers.etag as string,
      },
    });
    expect(cached.statusCode).toBe(304);
    expect((await signed(a, 'GET', '/v1/models/99')).status).toBe(404);

    const metrics = await signed(a, 'POST', '/v1/models/1/metrics', {
      n: 10,
      pinball: 0.2,
      wape: 0.3,
    });
    expect(metrics.status).toBe(410);
    expect(metrics.body.error).toBe('metrics-retired');

    // Publish version 2 with two shops, then roll back to 1: the next round trains from 1.
    const c = await enrol('D');
    const round = (
      await op('POST', '/v1/operator/rounds', {
        settings: { mode: 'plain', clipNorm: 1, minShops: 2 },
      })
    ).json();
    await signed(a, 'POST', `/v1/rounds/${round.id}/update`, update([0.5, 0, 0, 0]));
    await signed(c, 'POST', `/v1/rounds/${round.id}/update`, update([0, 0.5, 0, 0]));
    const published = (await op('POST', `/v1/operator/rounds/${round.id}/close-phase`)).json();
    expect(published).toMatchObject({ phase: 'published', resultVersion: 2 });
    expect((await signed(a, 'GET', '/v1/models/current')).body.version).toBe(2);
    expect((await op('POST', '/v1/operator/models/1/rollback')).statusCode).toBe(200);
    expect((await signed(a, 'GET', '/v1/models/current')).body.version).toBe(1);
    const next = (await op('POST', '/v1/operator/rounds', {})).json();
    expect(next.modelVersion).toBe(1);
    const models = (await op('GET', '/v1/operator/models')).json().models as {
      version: number;
      current: boolean;
      metrics: unknown;
    }[];
    expect(models.find((m) => m.version === 1)).toMatchObject({ current: true, metrics: null });
  });

  it('documents every route in /openapi.json', async () => {
    const doc = (await http({ method: 'GET', url: '/openapi.json' })).json();
    const documented = new Set(Object.keys(doc.paths).map((p) => p.replace(/\{(\w+)\}/g, ':$1')));
    const routes = app
      .printRoutes({ commonPrefix: false })
      .split('\n')
      .map((line) => line.replace(/^[\s│├└─]+/, '').replace(/ \(.*$/, ''))
      .filter((p) => p.startsWith('/v1/') || p === '/health');
    expect(routes.length).toBeGreaterThan(15);
    for (const route of routes) expect(documented, route).toContain(route);
  });
});
