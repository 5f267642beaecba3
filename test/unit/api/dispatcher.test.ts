import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createBackend, type Backend } from '../../../electron/backend/backend.ts';

describe('API dispatcher', () => {
  let backend: Backend | undefined;
  const open = () => {
    backend = createBackend({
      databasePath: join(mkdtempSync(join(tmpdir(), 'breadcast-dispatch-')), 'shop.sqlite'),
      transport: 'http',
    });
    return backend;
  };
  afterEach(() => backend?.close());

  it('answers a valid call with the handler value', async () => {
    const result = await open().dispatch('app.info', {});
    expect(result.ok).toBe(true);
    if (result.ok)
      expect(result.value).toMatchObject({ transport: 'http', schemaVersion: expect.any(Number) });
  });

  it('refuses a payload that fails the method schema, naming the field', async () => {
    const result = await open().dispatch('app.info', { unexpected: 1 });
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.error.code).toBe('bad-request');
      expect(result.error.message).toMatch(/Invalid request for app\.info/);
      expect(result.error.issues?.length).toBeGreaterThan(0);
    }
  });

  it('gives each refused field a reason the form can word in the shop language', async () => {
    const result = await open().dispatch('sync.enrol', {
      coordinatorUrl: 'not an address',
      inviteCode: 'abc',
      shopName: '',
    });
    if (result.ok) return expect.fail('a bad enrolment was accepted');
    expect(result.error.reason).toEqual({
      code: 'refusal.invalidRequest',
      params: { field: 'coordinatorUrl' },
    });
    expect(result.error.issues?.map((i) => [i.path, i.reason])).toEqual([
      ['coordinatorUrl', { code: 'input.url', params: {} }],
      ['inviteCode', { code: 'input.tooShort', params: { minimum: 6 } }],
      ['shopName', { code: 'input.required', params: {} }],
    ]);
  });

  it.each([['no.such.method'], ['__proto__'], ['constructor'], ['toString']])(
    'refuses the unknown method %s',
    async (method) => {
      const result = await open().dispatch(method, {});
      expect(result).toMatchObject({ ok: false, error: { code: 'not-found' } });
    },
  );

  it.each([[null], ['text'], [42], [[]]])('refuses a non-object payload %j', async (payload) => {
    const result = await open().dispatch('app.info', payload);
    // null is treated as "no payload" (an empty object), anything else must be an object.
    if (payload === null) expect(result.ok).toBe(true);
    else expect(result).toMatchObject({ ok: false, error: { code: 'bad-request' } });
  });
});
