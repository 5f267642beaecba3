import { mkdirSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import fc from 'fast-check';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { contract, type ApiResult } from '../../electron/api/contract/index.ts';
import { createBackend, type Backend } from '../../electron/backend/backend.ts';
import { startHttpBridge, type RunningBridge } from '../../electron/bridge/http-bridge.ts';
import { commitImport } from '../../electron/logs/import/importer.ts';
import { fileSource } from '../../electron/logs/import/source.ts';
import { openDatabase } from '../../electron/store/database.ts';
import { tempDir } from './coordinator-harness.ts';
import { databaseFingerprint } from '../support/db-fingerprint.ts';
import { jsonObjectOrNull } from '../support/raw-http.ts';
import { bakeryChainCsv as chain } from '../../electron/logs/demo.ts';

type Schema = { safeParse(v: unknown): { success: boolean } };
const methods = Object.keys(contract) as (keyof typeof contract)[];
const schemaOf = (m: string) => (contract as Record<string, { input: Schema }>)[m]!.input;
/** The dispatcher reads a missing payload as {}. */
const accepts = (m: string, payload: unknown) => schemaOf(m).safeParse(payload ?? {}).success;
/** Field names of a method's input object, to aim hostile values at real fields. */
function fieldsOf(m: string): string[] {
  const s = schemaOf(m) as unknown as {
    shape?: object;
    def?: { innerType?: { shape?: object } };
  };
  return Object.keys(s.shape ?? s.def?.innerType?.shape ?? {});
}

let backend: Backend;
const state = () => databaseFingerprint(backend.context.db);
/** Rows written by the backend's connection so far: cheap enough to check after every call. */
const writes = () =>
  (backend.context.db.prepare('SELECT total_changes() AS n').get() as { n: number }).n;
const polluted = () =>
  (Object.prototype as Record<string, unknown>).polluted !== undefined ||
  (Object.prototype as Record<string, unknown>).isAdmin !== undefined;

function deepObject(depth: number): unknown {
  let v: unknown = { leaf: 1 };
  for (let i = 0; i < depth; i++) v = { a: v };
  return v;
}
const deepArray = (depth: number) => JSON.parse('['.repeat(depth) + ']'.repeat(depth)) as unknown;

const hostileValues: unknown[] = [
  'x'.repeat(200_000),
  '\u0000\u0000',
  "=cmd|' /C calc'!A0",
  '../../../../etc/passwd',
  Number.NaN,
  Number.POSITIVE_INFINITY,
  Number.NEGATIVE_INFINITY,
  -1,
  1e308,
  2 ** 53 + 1,
  -0,
  [],
  {},
  true,
  null,
  deepArray(5_000),
  deepObject(2_000),
  JSON.parse('{"__proto__":{"polluted":true}}'),
  JSON.parse('{"constructor":{"prototype":{"polluted":true}}}'),
  new Date(Number.NaN),
  new Map([['a', 1]]),
  new Uint8Array(16),
  Object.create(null),
];

function expectRefusal(result: ApiResult, what: string): void {
  expect(result.ok, `${what} was accepted`).toBe(false);
  if (result.ok) return;
  expect(result.error.code, `${what}: ${result.error.message}`).not.toBe('internal');
  expect(result.error.message.length, what).toBeGreaterThan(10);
}

beforeAll(async () => {
  const dir = tempDir('breadcast-bad-backend-');
  const path = join(dir, 'bakery.db');
  const db = openDatabase(path);
  await commitImport(db, fileSource(chain), { store: '5' });
  db.close();
  backend = createBackend({
    databasePath: path,
    transport: 'http',
    log: pino({ level: 'silent' }),
  });
});
afterAll(() => backend?.close());

describe('every bakery API method (from the contract) with hostile payloads', () => {
  it('covers the whole contract', () => {
    expect(methods.length).toBeGreaterThan(25);
    expect(methods).toContain('import.commit');
    expect(methods).toContain('logs.saveRow');
  });

  it('property-based: any value the schema refuses is refused with a message, never a crash, the database unchanged', async () => {
    const before = state();
    const anything = fc.anything({
      key: fc.oneof(
        fc.string(),
        fc.constantFrom('__proto__', 'constructor', 'prototype', 'toString', 'valueOf'),
      ),
      maxDepth: 4,
      withBigInt: true,
      withDate: true,
      withMap: true,
      withSet: true,
      withTypedArray: true,
      withSparseArray: true,
      withNullPrototype: true,
      withObjectString: true,
      withBoxedValues: true,
    });
    for (const method of methods) {
      await fc.assert(
        fc.asyncProperty(
          anything.filter((v) => !accepts(method, v)),
          async (payload) => {
            expectRefusal(await backend.dispatch(method, payload), method);
          },
        ),
        { numRuns: 40, seed: 27 },
      );
    }
    expect(state()).toBe(before);
    expect(polluted()).toBe(false);
  });

  it('hostile values in every real field: huge strings, NUL, NaN/Infinity, deep nesting, prototype keys — refused when invalid, never an internal error', async () => {
    let accepted = 0;
    for (const method of methods) {
      const fields = fieldsOf(method);
      if (fields.length === 0) continue;
      for (const field of fields)
        for (const value of hostileValues) {
          const payload = { [field]: value };
          const before = writes();
          const result = await backend.dispatch(method, payload);
          if (accepts(method, payload)) {
            accepted++;
            // Valid by the schema: the handler may act, but must not fail unexpectedly.
            if (!result.ok)
              expect(result.error.code, `${method}.${field}: ${result.error.message}`).not.toBe(
                'internal',
              );
            continue;
          }
          expectRefusal(result, `${method}.${field}=#${hostileValues.indexOf(value)}`);
          expect(writes(), `${method}.${field} wrote to the database`).toBe(before);
        }
    }
    expect(polluted()).toBe(false);
    // Most combinations are invalid; the few valid ones are optional filters and settings.
    expect(accepted).toBeLessThan(200);
  });

  it('prototype-pollution keys through the read-only methods that take an optional object', async () => {
    const before = state();
    for (const method of [
      'app.info',
      'products.list',
      'logs.history',
      'logs.edits',
      'settings.get',
      'training.status',
      'sync.status',
      'ledger.list',
    ])
      for (const text of [
        '{"__proto__":{"polluted":true}}',
        '{"constructor":{"prototype":{"isAdmin":true}}}',
      ]) {
        await backend.dispatch(method, JSON.parse(text));
        expect(polluted(), `${method} ${text}`).toBe(false);
      }
    expect(await backend.dispatch('no.such.method', {})).toMatchObject({
      ok: false,
      error: { code: 'not-found' },
    });
    expect(await backend.dispatch('__proto__', {})).toMatchObject({
      ok: false,
      error: { code: 'not-found' },
    });
    expect(await backend.dispatch('constructor', {})).toMatchObject({
      ok: false,
      error: { code: 'not-found' },
    });
    expect(await backend.dispatch('toString', {})).toMatchObject({
      ok: false,
      error: { code: 'not-found' },
    });
    expect(state()).toBe(before);
  });
});

describe('browser-mode HTTP bridge', () => {
  let bridge: RunningBridge;
  beforeAll(async () => {
    const staticDir = join(tempDir('breadcast-bridge-'), 'ui');
    mkdirSync(staticDir);
    bridge = await startHttpBridge({
      backend,
      port: 0,
      staticDir,
      secret: 's3cret-for-tests-only-xyz',
    });
  });
  afterAll(() => bridge?.close());

  const raw = (
    path: string,
    options: { host?: string; auth?: string; body?: string; declared?: number; type?: string },
  ) =>
    new Promise<{ status: number; body: Record<string, unknown> | null }>((resolve, reject) => {
      const port = new URL(bridge.url).port;
      const req = request(
        {
          host: '127.0.0.1',
          port,
          method: 'POST',
          path,
          headers: {
            host: options.host ?? `127.0.0.1:${port}`,
            'content-type': options.type ?? 'application/json',
            ...(options.auth ? { authorization: `Bearer ${options.auth}` } : {}),
            ...(options.declared ? { 'content-length': String(options.declared) } : {}),
          },
        },
        (res) => {
          let text = '';
          res.on('data', (c: Buffer) => (text += c.toString()));
          res.on('end', () => {
            resolve({ status: res.statusCode ?? 0, body: jsonObjectOrNull(text) });
            req.destroy();
          });
        },
      );
      req.on('error', reject);
      if (options.declared) req.write('{"x":"' + 'y'.repeat(1000));
      else req.end(options.body ?? '{}');
    });
  const messageOf = (body: Record<string, unknown> | null) =>
    String((body?.error as { message?: string } | undefined)?.message ?? body?.message ?? '');

  it('refuses a wrong or missing secret, a foreign Host (DNS rebinding), an oversized or malformed body — and still serves the right caller', async () => {
    const before = state();
    const good = bridge.secret;
    const wrongSecret = await raw('/api/products.list', { auth: 'not-the-secret' });
    expect(wrongSecret.status).toBe(401);
    expect(messageOf(wrongSecret.body)).toMatch(/secret/);
    expect((await raw('/api/products.list', {})).status).toBe(401);
    expect((await raw('/api/products.list', { auth: good.slice(0, -1) })).status).toBe(401);
    for (const host of [
      'evil.example',
      'evil.example:80',
      '127.0.0.1.evil.example',
      'localhost.evil.example',
      '[::1]:9',
      '10.0.0.1',
    ]) {
      const rebound = await raw('/api/products.list', { auth: good, host });
      expect(rebound.status, host).toBe(421);
      expect(messageOf(rebound.body)).toMatch(/127\.0\.0\.1/);
    }
    const huge = await raw('/api/import.preview', { auth: good, declared: 200 * 1024 * 1024 });
    expect(huge.status).toBe(413);
    expect(messageOf(huge.body).length).toBeGreaterThan(5);
    const malformed = await raw('/api/products.create', { auth: good, body: '{"name":' });
    expect(malformed.status).toBe(400);
    expect(messageOf(malformed.body).length).toBeGreaterThan(5);
    const hostile = await raw('/api/products.create', {
      auth: good,
      body: '{"__proto__":{"polluted":true},"name":1e999}',
    });
    expect(hostile.status).toBe(400);
    expect(polluted()).toBe(false);
    const fine = await raw('/api/products.list', { auth: good });
    expect(fine.status).toBe(200);
    expect(state()).toBe(before);
  });
});
