import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../electron/store/database.ts';
import { SyncClient } from '../../electron/sync/client.ts';
import { listLedger } from '../../electron/sync/ledger.ts';
import { loadSyncState } from '../../electron/sync/state.ts';
import { headers, protocolVersion, signRequest } from '../../federated/protocol/index.ts';
import { randomBytes } from 'node:crypto';
import {
  chainDays,
  linearTrainer,
  operatorSession,
  startCoordinator,
  tempDir,
} from './coordinator-harness.ts';
import { seededRandom } from '../../federated/model/random.ts';
import { startFlakyProxy, type CutPolicy } from '../support/flaky-proxy.ts';
import { anyRoundPolicy, clippedDelta, enrolTestShops, integrityOf } from '../support/shops.ts';
import { savePrivacyPolicy } from '../../electron/privacy/policy.ts';
import { sqliteOf, storedWeights } from '../support/coordinator-store.ts';

const train = { localEpochs: 5, learningRate: 0.05, clipNorm: 0.1 };
const settings = {
  mode: 'plain' as const,
  ...train,
  minShops: 3,
  weighting: 'equal' as const,
  serverOptimizer: { kind: 'fedavg' as const, learningRate: 1 },
  deadlines: {
    openSeconds: 0,
    advertiseSeconds: 60,
    shareSeconds: 60,
    collectSeconds: 600,
    confirmSeconds: 60,
    unmaskSeconds: 60,
  },
};

const closers: (() => Promise<unknown> | unknown)[] = [];
afterAll(async () => {
  for (const close of closers.reverse()) await close();
});

describe('network cut mid-request', () => {
  it('a proxy cutting connections after N bytes at random: three rounds finish with every update counted exactly once', async () => {
    const dir = tempDir('breadcast-fault-net-');
    const { app, url, port } = await startCoordinator(join(dir, 'coordinator.db'));
    closers.push(() => app.close());
    const operator = await operatorSession(app, url);
    expect(
      (await operator.call('PUT', '/v1/operator/settings', { schedule: null, round: settings }))
        .status,
    ).toBe(200);
    const policy: { current: CutPolicy } = { current: () => null };
    const proxy = await startFlakyProxy(port, policy);
    closers.push(() => proxy.close());
    const shops = await enrolTestShops(proxy.url, dir, operator, 3, {
      prefix: 'net',
      policy: anyRoundPolicy,
    });
    closers.push(() => shops.forEach((s) => s.db.close()));

    // From here on, one request in five is cut somewhere, and half the uploads are: in the
    // request (never processed) or in the answer (processed, the shop does not know).
    const random = seededRandom(20261127);
    policy.current = (line) => {
      const upload = /^POST \/v1\/rounds\/\d+\/update /.test(line);
      if (random() >= (upload ? 0.5 : 0.2)) return null;
      return { during: random() < 0.5 ? 'request' : 'answer', at: Math.floor(random() * 600) };
    };
    const globalOf = (v: number) => storedWeights(sqliteOf(app), v);
    for (let r = 1; r <= 3; r++) {
      const opened = await operator.call('POST', '/v1/operator/rounds', {});
      expect(opened.status).toBe(200);
      const roundId = Number(opened.body.id);
      const before = globalOf(Number(opened.body.modelVersion));
      let attempts = 0;
      const done = () =>
        sqliteOf(app).prepare('SELECT phase FROM rounds WHERE id = ?').get(roundId) as {
          phase: string;
        };
      while (
        (done().phase !== 'published' ||
          shops.some(
            (s) => s.client.status().pendingOutbox > 0 || s.client.status().modelVersion !== r + 1,
          )) &&
        attempts < 60
      ) {
        attempts++;
        for (const shop of shops) await shop.client.runOnce({ ignoreBackoff: true });
      }
      expect(done().phase).toBe('published');
      const rows = sqliteOf(app)
        .prepare('SELECT shop_id FROM updates WHERE round_id = ?')
        .all(roundId);
      expect(rows).toHaveLength(3);
      const sum = new Float64Array(before.length);
      for (const shop of shops)
        clippedDelta(shop.trainer, before, train).forEach((v, j) => (sum[j]! += v));
      globalOf(r + 1).forEach((w, j) =>
        expect(Math.abs(w - (before[j]! + sum[j]! / 3))).toBeLessThan(1e-6),
      );
    }
    // The proxy really cut connections, including ones the coordinator had fully answered.
    const cuts = proxy.cuts();
    expect(cuts.length).toBeGreaterThan(5);
    const uploadCuts = cuts.filter((c) => /POST \/v1\/rounds\/\d+\/update/.test(c.request));
    expect(uploadCuts.map((c) => c.during)).toContain('answer');
    expect(uploadCuts.map((c) => c.during)).toContain('request');
    for (const shop of shops) {
      // Every attempt is a line (a cut one too); each round is charged once.
      const uploads = listLedger(shop.db, { limit: 500 }).entries.filter(
        (e) => e.kind === 'update',
      );
      expect([...new Set(uploads.map((e) => e.roundId))].sort()).toEqual([1, 2, 3]);
      expect(uploads.filter((e) => e.answer === 'accepted').length).toBeGreaterThanOrEqual(3);
      expect(shop.client.status().privacy).toMatchObject({ rounds: 3, plainUpdates: 3 });
      expect(integrityOf(shop.db)).toBe('ok');
    }
  });
});

describe('shop clocks off by hours', () => {
  it('a signed request outside the window gets a clear 401 with the server time; the sync client corrects itself from it', async () => {
    const dir = tempDir('breadcast-fault-clock-');
    const { app, url } = await startCoordinator(join(dir, 'coordinator.db'));
    closers.push(() => app.close());
    const operator = await operatorSession(app, url);
    await operator.call('PUT', '/v1/operator/settings', {
      schedule: null,
      round: { ...settings, minShops: 2 },
    });
    const skews = [3 * 3600_000, -5 * 3600_000];
    const shops: { db: ReturnType<typeof openDatabase>; client: SyncClient; skew: number }[] = [];
    for (const [i, skew] of skews.entries()) {
      const db = openDatabase(join(dir, `clock-${i}.db`));
      savePrivacyPolicy(db, anyRoundPolicy, new Date());
      closers.push(() => db.close());
      const client = new SyncClient({
        db,
        trainer: linearTrainer(chainDays([2, 5][i]!, 'roll', 40)),
        appVersion: '0.1.0',
        now: () => new Date(Date.now() + skew),
      });
      const invite = await operator.call('POST', '/v1/operator/invites', { expiresInHours: 1 });
      await client.enrol({
        coordinatorUrl: url,
        inviteCode: String(invite.body.code),
        shopName: `Clock ${i}`,
      });
      shops.push({ db, client, skew });
    }

    // Uncorrected: the coordinator says what is wrong, in words, with its own time.
    const state = loadSyncState(shops[0]!.db)!;
    const timestamp = Date.now() + skews[0]!;
    const nonce = randomBytes(18).toString('base64url');
    const raw = await fetch(`${url}/v1/rounds/current`, {
      headers: {
        [headers.protocol]: String(protocolVersion),
        [headers.shop]: state.shopId,
        [headers.timestamp]: String(timestamp),
        [headers.nonce]: nonce,
        [headers.signature]: signRequest(state.privateKey, {
          method: 'GET',
          path: '/v1/rounds/current',
          shopId: state.shopId,
          timestamp,
          nonce,
          body: '',
        }),
      },
    });
    expect(raw.status).toBe(401);
    const refusal = (await raw.json()) as { error: string; message: string; serverTime: string };
    expect(refusal.error).toBe('clock-skew');
    expect(refusal.message).toMatch(/clock is .*3 hours? .*ahead/i);
    expect(Math.abs(Date.parse(refusal.serverTime) - Date.now())).toBeLessThan(5000);

    // The sync client learns the offset and takes part in a round as if its clock were right.
    await operator.call('POST', '/v1/operator/rounds', {});
    for (const shop of shops) {
      const result = await shop.client.runOnce();
      expect(result.status.lastError).toBeNull();
      expect(result.participatedInRound).toBe(1);
      expect(Math.abs(loadSyncState(shop.db)!.clockOffsetMs + shop.skew)).toBeLessThan(5000);
    }
    for (const shop of shops) await shop.client.runOnce();
    expect(shops.map((s) => s.client.status().modelVersion)).toEqual([2, 2]);
    for (const shop of shops) expect(integrityOf(shop.db)).toBe('ok');
  });
});
