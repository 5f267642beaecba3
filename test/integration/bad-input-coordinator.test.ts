import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { dashboardPlugin } from '../../coordinator/overview/plugin.ts';
import { getModel, modelWeights } from '../../coordinator/store/models.ts';
import { stepSecureRound } from '../../electron/sync/secagg-client.ts';
import { loadSyncState } from '../../electron/sync/state.ts';
import type { RoundView } from '../../federated/protocol/index.ts';
import { operatorSession, startCoordinator, tempDir } from './coordinator-harness.ts';
import { databaseFingerprint } from '../support/db-fingerprint.ts';
import { oversizedRequest, rawRequest, type Caller, type RawAnswer } from '../support/raw-http.ts';
import { anyRoundPolicy, enrolTestShops, phaseDeadlines, type TestShop } from '../support/shops.ts';
import { sqliteOf } from '../support/coordinator-store.ts';

type Route = { method: string; path: string; hasBody: boolean; properties: string[] };

let app: FastifyInstance;
let url: string;
let operator: Awaited<ReturnType<typeof operatorSession>>;
let shops: TestShop[];
let routes: Route[];
/** What shop 0 sent in round 1, by path: replayed later, out of order. */
const recorded: { path: string; body: string }[] = [];

// A signed request records its nonce and the shop's last-seen time; an operator request may
// extend its session; refusals are audited. Everything else must not move.
const stateOf = () =>
  databaseFingerprint(sqliteOf(app), {
    ignoreTables: ['nonces', 'events', 'sessions'],
    ignoreColumns: { shops: ['last_seen_at', 'app_version'] },
  });

function callerFor(route: Route, shop = shops[0]!): Caller {
  if (route.path === '/v1/enrol' || /\/operator\/(login|setup)$/.test(route.path))
    return { kind: 'anonymous' };
  if (route.path.startsWith('/v1/operator/'))
    return { kind: 'operator', cookie: operator.cookie, csrfToken: operator.csrfToken };
  if (route.path.startsWith('/v1/rounds') || route.path.startsWith('/v1/models')) {
    const state = loadSyncState(shop.db)!;
    return { kind: 'shop', shopId: state.shopId, privateKey: state.privateKey };
  }
  return { kind: 'anonymous' };
}

/** Fills path parameters with real ids (round 2 is running, model 2 exists). */
const concrete = (path: string, value?: string) =>
  path.replace(
    /\{(\w+)\}/g,
    (_m, name: string) => value ?? (name === 'shopId' ? shops[1]!.shopId : '2'),
  );

function expectClearRefusal(answer: RawAnswer, what: string): void {
  expect(
    answer.status,
    `${what} → ${answer.status} ${answer.text.slice(0, 300)}`,
  ).toBeGreaterThanOrEqual(400);
  expect(answer.status, `${what} → ${answer.text.slice(0, 300)}`).toBeLessThan(500);
  expect(typeof answer.body?.message, `${what}: no message in ${answer.text.slice(0, 200)}`).toBe(
    'string',
  );
  expect(String(answer.body?.message).length).toBeGreaterThan(5);
}

const huge = 'x'.repeat(200_000);
const deep = (depth: number) => '['.repeat(depth) + ']'.repeat(depth);
/** Hostile values as JSON text (so 1e999 and NaN reach the server as written). */
const hostileValues = [
  '1e999',
  '-1e999',
  '"NaN"',
  '"Infinity"',
  `"${huge}"`,
  deep(64),
  '{"__proto__":{"polluted":true}}',
  '{"constructor":{"prototype":{"polluted":true}}}',
  '[]',
  'true',
  '{}',
  '-1',
  '9007199254740993',
];

beforeAll(async () => {
  const dir = tempDir('breadcast-bad-coord-');
  ({ app, url } = await startCoordinator(join(dir, 'coordinator.db'), 0, {
    plugins: [dashboardPlugin()],
  }));
  operator = await operatorSession(app, url);
  shops = await enrolTestShops(url, dir, operator, 3, { prefix: 'bad', policy: anyRoundPolicy });
  const put = await operator.call('PUT', '/v1/operator/settings', {
    schedule: null,
    round: {
      mode: 'secure',
      minShops: 2,
      secaggThreshold: 3,
      clipNorm: 0.1,
      weighting: 'equal',
      deadlines: phaseDeadlines(3600),
    },
  });
  expect(put.status).toBe(200);
  // Round 1 runs to the end over HTTP, shop 0's messages recorded; round 2 is then opened.
  const opened = await operator.call('POST', '/v1/operator/rounds', {});
  const roundId = Number(opened.body.id);
  for (let pass = 0; pass < 6; pass++) {
    for (const shop of shops) {
      const view = (await operator.call('GET', `/v1/operator/rounds/${roundId}`))
        .body as unknown as RoundView;
      await stepSecureRound(
        {
          db: shop.db,
          http: shop.http(shop === shops[0] ? recordingFetch : undefined),
          identity: { shopId: shop.shopId, privateKey: loadSyncState(shop.db)!.privateKey },
          now: () => new Date(),
          computeUpdate: async (r) => ({
            delta: Float32Array.from(
              modelWeights((await getModel(app.coordinator.store, r.modelVersion))!),
              (_v, j) => 0.01 * Math.sin(j + shops.indexOf(shop)),
            ),
            sampleCount: 10,
          }),
        },
        view,
      );
    }
  }
  expect((await operator.call('GET', `/v1/operator/rounds/${roundId}`)).body.phase).toBe(
    'published',
  );
  expect((await operator.call('POST', '/v1/operator/rounds', {})).body.phase).toBe('advertise');

  const spec = (await (await fetch(`${url}/openapi.json`)).json()) as {
    paths: Record<
      string,
      Record<
        string,
        { requestBody?: { content?: Record<string, { schema?: { properties?: object } }> } }
      >
    >;
  };
  routes = Object.entries(spec.paths).flatMap(([path, operations]) =>
    Object.entries(operations)
      .filter(([method]) => ['get', 'post', 'put', 'delete', 'patch'].includes(method))
      .map(([method, op]) => {
        const schema = op.requestBody?.content?.['application/json']?.schema;
        return {
          method: method.toUpperCase(),
          path,
          hasBody: Boolean(schema),
          properties: Object.keys(schema?.properties ?? {}),
        };
      }),
  );
});

const recordingFetch: typeof fetch = async (input, init) => {
  if (init?.method === 'POST' && typeof init.body === 'string')
    recorded.push({ path: new URL(String(input)).pathname, body: init.body });
  return fetch(input, init);
};

afterAll(async () => {
  await app?.close();
  for (const shop of shops ?? []) shop.db.close();
});

describe('every coordinator endpoint (from /openapi.json) refuses bad input with a clear 4xx and changes nothing', () => {
  it('finds the routes of every plug-in in the OpenAPI document', () => {
    const paths = routes.map((r) => `${r.method} ${r.path}`);
    for (const expected of [
      'POST /v1/enrol',
      'POST /v1/rounds/{roundId}/update',
      'POST /v1/rounds/{roundId}/secagg/masked',
      'PUT /v1/operator/settings',
      'POST /v1/operator/login',
    ])
      expect(paths).toContain(expected);
    expect(routes.length).toBeGreaterThan(25);
  });

  it('malformed JSON, wrong content type, non-object bodies and oversized bodies', async () => {
    const before = stateOf();
    const bodies = [
      '{"a":',
      '{',
      'nul',
      '[1,2',
      '\u0000',
      '{"a":1}}',
      '{"a":NaN}',
      '{"a":Infinity}',
    ];
    for (const route of routes.filter((r) => r.method !== 'GET')) {
      const path = concrete(route.path);
      for (const body of bodies)
        expectClearRefusal(
          await rawRequest(url, route.method, path, callerFor(route), body),
          `${route.method} ${path} ${JSON.stringify(body.slice(0, 20))}`,
        );
      expectClearRefusal(
        await oversizedRequest(url, route.method, path, 64 * 1024 * 1024),
        `${route.method} ${path} 64 MB`,
      );
      // Routes that take no body (checkin, logout) ignore whatever text comes along.
      if (!route.hasBody) continue;
      expectClearRefusal(
        await rawRequest(url, route.method, path, callerFor(route), '{}', 'text/plain'),
        `${route.method} ${path} text/plain`,
      );
      for (const body of ['null', '42', '"text"', '[]', 'true', '[{}]', deep(20_000)])
        expectClearRefusal(
          await rawRequest(url, route.method, path, callerFor(route), body),
          `${route.method} ${path} ${body}`,
        );
    }
    expect(stateOf()).toBe(before);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('property-based: hostile values (NaN, ±Infinity as 1e999, huge strings, deep nesting, prototype keys, wrong types) in every field', async () => {
    const before = stateOf();
    for (const route of routes.filter((r) => r.hasBody)) {
      const keys = route.properties.length ? route.properties : ['value'];
      const path = concrete(route.path);
      await fc.assert(
        fc.asyncProperty(
          fc.dictionary(fc.constantFrom(...keys), fc.constantFrom(...hostileValues), {
            minKeys: 1,
          }),
          fc.boolean(),
          async (fields, withProto) => {
            const text = `{${[
              ...(withProto ? ['"__proto__":{"polluted":true}'] : []),
              ...Object.entries(fields).map(([k, v]) => `${JSON.stringify(k)}:${v}`),
            ].join(',')}}`;
            expectClearRefusal(
              await rawRequest(url, route.method, path, callerFor(route), text),
              `${route.method} ${path} ${text.slice(0, 120)}`,
            );
          },
        ),
        { numRuns: 15, seed: 9 },
      );
    }
    expect(stateOf()).toBe(before);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('path parameters that are not ids: letters, 1e999, negative, fractions, overflowing numbers, NUL', async () => {
    const before = stateOf();
    const values = [
      'abc',
      '1e999',
      '-1',
      '1.5',
      'NaN',
      'Infinity',
      '99999999999999999999',
      '%00',
      '0x10',
      "1'--",
    ];
    for (const route of routes.filter((r) => r.path.includes('{'))) {
      for (const value of values) {
        const path = concrete(route.path, value);
        const answer = await rawRequest(
          url,
          route.method,
          path,
          callerFor(route),
          route.method === 'GET' ? undefined : '{}',
        );
        expectClearRefusal(answer, `${route.method} ${path}`);
      }
    }
    expect(stateOf()).toBe(before);
  });

  it("no credential, another shop's identity, a replayed signed request: 401 on every shop route", async () => {
    const before = stateOf();
    const shopRoutes = routes.filter(
      (r) => r.path.startsWith('/v1/rounds') || r.path.startsWith('/v1/models'),
    );
    expect(shopRoutes.length).toBeGreaterThan(8);
    const [a, b] = [loadSyncState(shops[0]!.db)!, loadSyncState(shops[1]!.db)!];
    for (const route of shopRoutes) {
      const path = concrete(route.path);
      const body = route.method === 'GET' ? undefined : '{}';
      expectClearRefusal(
        await rawRequest(url, route.method, path, { kind: 'anonymous' }, body),
        `${path} unsigned`,
      );
      // Signed with A's key, claiming to be B.
      const forged = await rawRequest(
        url,
        route.method,
        path,
        { kind: 'shop', shopId: a.shopId, privateKey: a.privateKey, claimShopId: b.shopId },
        body,
      );
      expectClearRefusal(forged, `${path} as another shop`);
      // Routes with a body schema check the (empty) body first; the others reach the signature.
      if (!route.hasBody) expect(forged.status).toBe(401);
    }
    // The very same signed request twice: the second is a replay (GETs change nothing).
    for (const route of shopRoutes.filter((r) => r.method === 'GET')) {
      const path = concrete(route.path);
      const caller: Caller = {
        kind: 'shop',
        shopId: a.shopId,
        privateKey: a.privateKey,
        nonce: 'replayed-nonce-' + route.path.length + '-abcdef',
        timestamp: Date.now(),
      };
      const first = await rawRequest(url, 'GET', path, caller);
      expect(first.status, first.text).toBeLessThan(500);
      const again = await rawRequest(url, 'GET', path, caller);
      expectClearRefusal(again, `${path} replayed`);
      expect(again.body?.error).toBe('replayed');
    }
    // Signed hours in the past or future: a clear clock-skew refusal.
    for (const skew of [-6 * 3600_000, 6 * 3600_000]) {
      const answer = await rawRequest(url, 'GET', '/v1/rounds/current', {
        kind: 'shop',
        shopId: a.shopId,
        privateKey: a.privateKey,
        timestamp: Date.now() + skew,
      });
      expectClearRefusal(answer, `skew ${skew}`);
      expect(answer.body?.error).toBe('clock-skew');
    }
    // Operator routes without a session, and with a session but without the CSRF token.
    for (const route of routes.filter(
      (r) => r.path.startsWith('/v1/operator/') && !/login|setup/.test(r.path),
    )) {
      const path = concrete(route.path);
      const body = route.method === 'GET' ? undefined : '{}';
      expectClearRefusal(
        await rawRequest(url, route.method, path, { kind: 'anonymous' }, body),
        `${path} no session`,
      );
      if (route.method !== 'GET')
        expectClearRefusal(
          await rawRequest(
            url,
            route.method,
            path,
            { kind: 'operator', cookie: operator.cookie, csrfToken: 'wrong' },
            body,
          ),
          `${path} bad CSRF`,
        );
    }
    expect(stateOf()).toBe(before);
  });

  it("a shop's own earlier messages, re-sent (freshly signed) to a finished round or out of order, or by another shop", async () => {
    const before = stateOf();
    const kinds = new Set(recorded.map((r) => r.path.split('/').pop()));
    for (const kind of ['advertise', 'shares', 'masked', 'unmask']) expect(kinds).toContain(kind);
    const [a, b] = [loadSyncState(shops[0]!.db)!, loadSyncState(shops[1]!.db)!];
    const asA: Caller = { kind: 'shop', shopId: a.shopId, privateKey: a.privateKey };
    const asB: Caller = { kind: 'shop', shopId: b.shopId, privateKey: b.privateKey };
    for (const message of recorded.filter((r) => r.path.includes('/secagg/'))) {
      // Round 1 is published: nothing more for it.
      expectClearRefusal(
        await rawRequest(url, 'POST', message.path, asA, message.body),
        `${message.path} after the round`,
      );
      // Round 2 waits for key advertisements: shares, masked input and unmasking come too early.
      const now = message.path.replace('/rounds/1/', '/rounds/2/');
      if (!now.endsWith('/advertise'))
        expectClearRefusal(
          await rawRequest(url, 'POST', now, asA, message.body),
          `${now} out of order`,
        );
      // B sending A's message (A's id inside the body).
      expectClearRefusal(
        await rawRequest(url, 'POST', now, asB, message.body),
        `${now} by another shop`,
      );
    }
    // A plain upload into a secure round.
    expectClearRefusal(
      await rawRequest(
        url,
        'POST',
        '/v1/rounds/2/update',
        asA,
        JSON.stringify({
          modelVersion: 2,
          parameterCount: 9,
          sampleCount: 1,
          encoding: 'f32le-base64',
          delta: Buffer.alloc(36).toString('base64'),
          sha256: '0'.repeat(64),
        }),
      ),
      'plain update in a secure round',
    );
    expect(stateOf()).toBe(before);
  });
});
