import { createServer, type IncomingMessage, type Server } from 'node:http';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { lifetimeEpsilon, shopPrivacy } from '../../../electron/privacy/budget.ts';
import { setSettings } from '../../../electron/logs/settings.ts';
import { openDatabase } from '../../../electron/store/database.ts';
import { CoordinatorHttp } from '../../../electron/sync/http.ts';
import { exportLedger, ledgerRequestLog, listLedger } from '../../../electron/sync/ledger.ts';
import { generateShopKeyPair, sha256Hex } from '../../../federated/protocol/index.ts';
import { tempDir } from '../../integration/coordinator-harness.ts';

/*
 * The ledger is written by the one door every request goes through: a real HTTP server checks,
 * while each request arrives, that its line is already in the shop's database with the exact
 * body hash; the answer (or its absence) is recorded after.
 */
describe('every request in the ledger', () => {
  const db = openDatabase(join(tempDir('breadcast-ledger-'), 'shop.db'));
  const keys = generateShopKeyPair();
  let server: Server;
  let url: string;
  const seenInFlight: { path: string; hash: string; lineHash: string | null; answer: unknown }[] =
    [];
  let skewOnce = false;

  const bodyOf = (request: IncomingMessage) =>
    new Promise<string>((resolve) => {
      let text = '';
      request.on('data', (c: Buffer) => (text += c.toString('utf8')));
      request.on('end', () => resolve(text));
    });

  beforeAll(async () => {
    server = createServer(async (request, response) => {
      const body = await bodyOf(request);
      const line = db
        .prepare('SELECT payload_sha256, answer FROM sync_ledger WHERE path = ? ORDER BY id DESC')
        .get(request.url) as { payload_sha256: string; answer: unknown } | undefined;
      seenInFlight.push({
        path: request.url!,
        hash: sha256Hex(body),
        lineHash: line?.payload_sha256 ?? null,
        answer: line?.answer,
      });
      if (request.url === '/lost') return request.socket.destroy();
      if (request.url === '/refused') {
        response.writeHead(409, { 'content-type': 'application/json' });
        return response.end(JSON.stringify({ error: 'already-sent', message: 'no' }));
      }
      if (request.url === '/skew' && !skewOnce) {
        skewOnce = true;
        response.writeHead(401, { 'content-type': 'application/json' });
        return response.end(
          JSON.stringify({
            error: 'clock-skew',
            message: 'clock',
            serverTime: new Date().toISOString(),
          }),
        );
      }
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ ok: true }));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  });
  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
    db.close();
  });

  const http = () =>
    new CoordinatorHttp(
      {
        baseUrl: url,
        appVersion: '9.9.9',
        now: () => new Date(),
        clockOffsetMs: 0,
        log: ledgerRequestLog(db, () => new Date()),
      },
      { shopId: 'shop-a', privateKey: keys.privateKey },
    );
  const ok = z.object({ ok: z.literal(true) });
  const charge = {
    roundKey: 'coordinator|4|2026-11-30T01:00:00.000Z',
    roundId: 4,
    mode: 'secure' as const,
    noiseMultiplier: 1.2,
    clipNorm: 0.5,
  };

  it('writes the line before the bytes leave, with the exact body hash, and the answer after', async () => {
    await http().send('POST', '/ok', '{"a":1}', ok, { kind: 'metrics', roundId: null });
    await http().send('GET', '/ok', null, ok, { kind: 'status', roundId: null });
    await expect(
      http().send('POST', '/refused', '{"b":2}', ok, { kind: 'shares', roundId: 4 }),
    ).rejects.toThrow(/refused/);
    await expect(
      http().send('POST', '/lost', '{"c":3}', ok, { kind: 'masked', roundId: 4, charge }),
    ).rejects.toThrow(/cannot be reached/);
    // Every request found its own line in the database while it was arriving, still unanswered.
    for (const seen of seenInFlight) {
      expect(seen.lineHash).toBe(seen.hash);
      expect(seen.answer).toBeNull();
    }
    expect(seenInFlight).toHaveLength(4);
    const { entries } = listLedger(db, { limit: 10 });
    expect(entries.map((e) => [e.kind, e.method, e.path, e.bytes, e.answer, e.status])).toEqual([
      ['masked', 'POST', '/lost', 7, 'none', null],
      ['shares', 'POST', '/refused', 7, 'refused', 409],
      ['status', 'GET', '/ok', 0, 'accepted', 200],
      ['metrics', 'POST', '/ok', 7, 'accepted', 200],
    ]);
    expect(entries[2]!.payloadSha256).toBe(sha256Hex(''));
    // The identifying headers, as sent.
    expect(entries[3]!.headers).toMatchObject({
      'x-breadcast-shop': 'shop-a',
      'x-breadcast-app-version': '9.9.9',
      'x-breadcast-timestamp': expect.stringMatching(/^\d+$/),
    });
  });

  it('charges a round once however often its update is sent, and a clock-skew retry is a second line', async () => {
    const epsilonOnce = lifetimeEpsilon(db);
    expect(epsilonOnce).toBeGreaterThan(0);
    await http().send('POST', '/ok', '{"c":3}', ok, { kind: 'masked', roundId: 4, charge });
    expect(lifetimeEpsilon(db)).toBe(epsilonOnce);
    expect(shopPrivacy(db, new Date())).toMatchObject({ rounds: 1, noiselessUpdates: 0 });
    const masked = listLedger(db, { limit: 10, roundId: 4 }).entries.filter(
      (e) => e.kind === 'masked',
    );
    expect(masked.map((e) => e.answer)).toEqual(['accepted', 'none']);
    expect(masked.every((e) => e.epsilonSpent === epsilonOnce && e.noiseMultiplier === 1.2)).toBe(
      true,
    );

    await http().send('GET', '/skew', null, ok, { kind: 'status', roundId: null });
    const skew = listLedger(db, { limit: 10 }).entries.filter((e) => e.path === '/skew');
    expect(skew.map((e) => e.status)).toEqual([200, 401]);

    // A noiseless round: no formal guarantee from then on.
    await http().send('POST', '/ok', '{}', ok, {
      kind: 'masked',
      roundId: 5,
      charge: { ...charge, roundKey: 'coordinator|5|x', roundId: 5, noiseMultiplier: 0 },
    });
    expect(lifetimeEpsilon(db)).toBeNull();
    expect(shopPrivacy(db, new Date())).toMatchObject({ rounds: 2, noiselessUpdates: 1 });
    const csv = exportLedger(db, 'csv', new Date()).content.trim().split('\n');
    expect(csv).toHaveLength(1 + listLedger(db, { limit: 100 }).total);
  });

  it("names the export after the bakery's day, not the UTC date", () => {
    // 01:00 on 11 June in Auckland is still 10 June in UTC.
    setSettings(db, { timeZone: 'Pacific/Auckland' });
    expect(exportLedger(db, 'json', new Date('2026-06-10T13:00:00Z')).fileName).toBe(
      'breadcast-ledger-2026-06-11.json',
    );
  });
});
