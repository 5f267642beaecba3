import Database from 'better-sqlite3';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { lifetimeEpsilon } from '../../electron/privacy/budget.ts';
import { defaultPrivacyPolicy } from '../../electron/privacy/policy.ts';
import { listLedger } from '../../electron/sync/ledger.ts';
import { computeEpsilon } from '../../federated/privacy/accountant.ts';
import { sha256Hex } from '../../federated/protocol/index.ts';
import { tempDir } from './coordinator-harness.ts';
import {
  loginOperator,
  seedCoordinatorDb,
  spawnCoordinator,
  type CoordinatorProcess,
} from '../support/coordinator-process.ts';
import { startRecordingProxy } from '../support/recording-proxy.ts';
import {
  enrolTestShops,
  phaseDeadlines,
  startConsortium,
  stopConsortia,
  type TestShop,
} from '../support/shops.ts';

/*
 * The bakery's policy against the shipped coordinator CLI, over real HTTP: what a default
 * bakery refuses, what it sends for a refused round (its ledger and the coordinator's
 * database say the same), a masked upload whose answer is lost, and the ledger of a whole
 * secure round against a recording proxy that saw every request.
 */

const hour = 3600;
const closers: (() => Promise<unknown> | unknown)[] = [];
afterAll(async () => {
  for (const close of closers.reverse()) await close();
  await stopConsortia();
});

function coordinatorRows<T>(dbPath: string, sql: string, ...args: unknown[]): T[] {
  const db = new Database(dbPath, { readonly: true });
  try {
    return db.prepare(sql).all(...args) as T[];
  } finally {
    db.close();
  }
}

const kindsFor = (shop: TestShop, roundId: number) =>
  [...new Set(listLedger(shop.db, { limit: 1000, roundId }).entries.map((e) => e.kind))].sort();

async function settle(shops: TestShop[], isDone: () => boolean, polls = 12): Promise<void> {
  for (let poll = 0; poll < polls && !isDone(); poll++) {
    for (const shop of shops) await shop.client.runOnce();
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('the bakery’s privacy policy over real HTTP', () => {
  it('a default bakery refuses a plain round and a round whose threshold is below floor(2n/3)+1, and sends nothing from its data for either', async () => {
    const { dbPath, operator, shops } = await startConsortium('policy-refusals', 5, 'pol');
    const phase = (id: number) =>
      coordinatorRows<{ phase: string }>(dbPath, 'SELECT phase FROM rounds WHERE id = ?', id)[0]!
        .phase;

    // A fresh coordinator runs secure, noised rounds; with a budget set it opens no round
    // without noise, plain or secure.
    const fresh = await operator.call('GET', '/v1/operator/settings');
    expect(fresh.body.round).toMatchObject({
      mode: 'secure',
      noiseMultiplier: 1.1,
      clipNorm: 0.125,
    });
    expect((fresh.body.round as { noiseMultiplier: number }).noiseMultiplier).toBeGreaterThan(0);
    expect(fresh.body.privacy).toEqual({ delta: 1e-5, budget: null });
    await operator.call('PUT', '/v1/operator/settings', { privacy: { budget: 500 } });
    for (const settings of [{ mode: 'plain' }, { mode: 'secure', noiseMultiplier: 0 }]) {
      const refused = await operator.call('POST', '/v1/operator/rounds', { settings });
      expect(refused.status, JSON.stringify(settings)).toBe(409);
      expect(refused.body).toMatchObject({ error: 'privacy-budget' });
      expect(String(refused.body.message)).toMatch(/no bound/);
    }
    expect(coordinatorRows(dbPath, 'SELECT id FROM rounds')).toEqual([]);
    await operator.call('PUT', '/v1/operator/settings', { privacy: { budget: null } });

    // A plain round: refused before the first message; only the refusal report is sent.
    const plain = await operator.call('PUT', '/v1/operator/settings', {
      schedule: null,
      round: { mode: 'plain', minShops: 2, deadlines: phaseDeadlines(hour) },
    });
    expect(plain.status, JSON.stringify(plain.body)).toBe(200);
    await operator.call('POST', '/v1/operator/rounds', {});
    for (const shop of shops) {
      const result = await shop.client.runOnce();
      expect(result.participatedInRound).toBeNull();
      expect(result.status.lastError).toBeNull();
      expect(kindsFor(shop, 1)).toEqual(['refusal']);
      const report = listLedger(shop.db, { limit: 5, roundId: 1 }).entries[0]!;
      expect(report).toMatchObject({ method: 'POST', path: '/v1/rounds/1/refusal' });
      expect(report.payloadSha256).toBe(
        sha256Hex(JSON.stringify({ stage: 'settings', reasons: [{ code: 'not-masked' }] })),
      );
    }
    expect(coordinatorRows(dbPath, 'SELECT * FROM round_participants WHERE round_id = 1')).toEqual(
      [],
    );
    expect(coordinatorRows(dbPath, 'SELECT * FROM updates WHERE round_id = 1')).toEqual([]);
    // Every shop said no: the round ends at once instead of waiting for its deadline.
    expect(phase(1)).toBe('failed');
    const detail1 = await operator.call('GET', '/v1/operator/views/rounds/1');
    const shopRows1 = detail1.body.shops as { mark: string; refusal: unknown }[];
    expect(shopRows1).toHaveLength(5);
    for (const row of shopRows1)
      expect(row).toMatchObject({
        mark: 'refused',
        refusal: { stage: 'settings', reasons: [{ code: 'not-masked' }] },
      });

    // A secure, noised round whose threshold (3 of 5) is below floor(2·5/3)+1 = 4: each bakery
    // advertises its round keys, reads the signed roster and stops there.
    const low = await operator.call('PUT', '/v1/operator/settings', {
      round: { mode: 'secure', minShops: 2, secaggThreshold: 3, noiseMultiplier: 1.2 },
    });
    expect(low.status, JSON.stringify(low.body)).toBe(200);
    await operator.call('POST', '/v1/operator/rounds', {});
    await settle(shops, () => phase(2) !== 'advertise' && phase(2) !== 'share', 4);
    for (const shop of shops) await shop.client.runOnce();
    for (const shop of shops) {
      expect(kindsFor(shop, 2)).toEqual(['advertise', 'refusal', 'round-status']);
      expect(shop.client.status().privacy.rounds).toBe(0);
      expect(shop.client.inSecureRound()).toBe(false);
    }
    const refusal = listLedger(shops[0]!.db, { limit: 50, roundId: 2 }).entries.find(
      (e) => e.kind === 'refusal',
    )!;
    expect(refusal.payloadSha256).toBe(
      sha256Hex(
        JSON.stringify({
          stage: 'roster',
          reasons: [{ code: 'threshold-too-low', threshold: 3, shops: 5, minimum: 4 }],
        }),
      ),
    );
    // The coordinator holds their round keys and nothing else of theirs for round 2.
    const state = JSON.parse(
      coordinatorRows<{ phase_state: string }>(
        dbPath,
        'SELECT phase_state FROM rounds WHERE id = 2',
      )[0]!.phase_state,
    ) as { advertisements: object; shareMessages: object; maskedInputs: object };
    expect(Object.keys(state.advertisements)).toHaveLength(5);
    expect(state.shareMessages).toEqual({});
    expect(state.maskedInputs).toEqual({});
    // The dashboard shows each shop's refusal with its reason.
    const detail2 = await operator.call('GET', '/v1/operator/views/rounds/2');
    for (const row of detail2.body.shops as { mark: string; refusal: unknown }[])
      expect(row).toMatchObject({
        mark: 'refused',
        refusal: {
          stage: 'roster',
          reasons: [{ code: 'threshold-too-low', threshold: 3, shops: 5, minimum: 4 }],
        },
      });
  }, 120_000);

  it('a masked upload whose answer is lost is ledgered for each attempt and charged once', async () => {
    const dir = tempDir('breadcast-policy-lost-');
    const dbPath = join(dir, 'coordinator.db');
    await seedCoordinatorDb(dbPath);
    const coordinator: CoordinatorProcess = await spawnCoordinator(dbPath);
    closers.push(() => coordinator.kill());
    const operator = await loginOperator(coordinator.url);
    // The last shop's masked upload reaches the coordinator; its answer never comes back.
    let cut = true;
    const flaky: typeof fetch = async (input, init) => {
      const response = await fetch(input, init);
      if (cut && String(input).endsWith('/secagg/masked')) {
        cut = false;
        await response.arrayBuffer();
        throw new TypeError('socket hang up');
      }
      return response;
    };
    const shops = await enrolTestShops(coordinator.url, dir, operator, 5, {
      prefix: 'lost',
      policy: defaultPrivacyPolicy,
      fetch: (i) => (i === 4 ? flaky : undefined),
    });
    closers.push(() => shops.forEach((s) => s.db.close()));
    const z = 1.2;
    const put = await operator.call('PUT', '/v1/operator/settings', {
      schedule: null,
      round: {
        mode: 'secure',
        minShops: 4,
        secaggThreshold: 4,
        noiseMultiplier: z,
        clipNorm: 0.5,
        deadlines: phaseDeadlines(hour),
      },
    });
    expect(put.status, JSON.stringify(put.body)).toBe(200);
    await operator.call('POST', '/v1/operator/rounds', {});
    const phase = () =>
      coordinatorRows<{ phase: string }>(dbPath, 'SELECT phase FROM rounds WHERE id = 1')[0]!.phase;
    // Shop 4 acts last in every pass, so its lost upload is the one that closes the collection:
    // when it asks again the round has moved on to unmasking.
    for (let pass = 0; pass < 6 && phase() !== 'unmask'; pass++)
      for (const shop of shops) await shop.client.runOnce();
    expect(cut).toBe(false);
    expect(phase()).toBe('unmask');
    await shops[4]!.client.runOnce();
    await settle(shops, () => phase() === 'published' || phase() === 'failed');
    expect(phase()).toBe('published');

    const masked = listLedger(shops[4]!.db, { limit: 50, roundId: 1 }).entries.filter(
      (e) => e.kind === 'masked',
    );
    // Two requests left, the same bytes: the first got no answer; the retry, sent after the
    // round had moved on to unmasking, got the original receipt.
    expect(masked).toHaveLength(2);
    expect(masked[0]!.payloadSha256).toBe(masked[1]!.payloadSha256);
    expect(masked.map((e) => [e.answer, e.status])).toEqual([
      ['accepted', 200],
      ['none', null],
    ]);
    const once = computeEpsilon({ noiseMultiplier: z, rounds: 1, delta: 1e-5 }).epsilon;
    expect(lifetimeEpsilon(shops[4]!.db)).toBeCloseTo(once, 9);
    expect(shops[4]!.client.status().privacy).toMatchObject({ rounds: 1, plainUpdates: 0 });
    for (const shop of shops) expect(lifetimeEpsilon(shop.db)).toBeCloseTo(once, 9);
  }, 120_000);

  it('the ledger of a whole secure round lists every request a recording proxy saw: same count, same hashes', async () => {
    const dir = tempDir('breadcast-policy-proxy-');
    const dbPath = join(dir, 'coordinator.db');
    await seedCoordinatorDb(dbPath);
    const coordinator = await spawnCoordinator(dbPath);
    closers.push(() => coordinator.kill());
    const operator = await loginOperator(coordinator.url);
    // Each bakery talks to the coordinator through its own recording proxy, from enrolment on.
    const shops: TestShop[] = [];
    const proxies = [];
    for (let i = 0; i < 5; i++) {
      const proxy = await startRecordingProxy(coordinator.port);
      closers.push(() => proxy.close());
      proxies.push(proxy);
      const [shop] = await enrolTestShops(proxy.url, dir, operator, 1, {
        prefix: `rec${i}`,
        policy: defaultPrivacyPolicy,
      });
      shops.push(shop!);
    }
    closers.push(() => shops.forEach((s) => s.db.close()));
    const put = await operator.call('PUT', '/v1/operator/settings', {
      schedule: null,
      round: {
        mode: 'secure',
        minShops: 4,
        secaggThreshold: 4,
        noiseMultiplier: 1.2,
        clipNorm: 0.5,
        deadlines: phaseDeadlines(hour),
      },
    });
    expect(put.status).toBe(200);
    await operator.call('POST', '/v1/operator/rounds', {});
    const phase = () =>
      coordinatorRows<{ phase: string }>(dbPath, 'SELECT phase FROM rounds WHERE id = 1')[0]!.phase;
    await settle(shops, () => phase() === 'published');
    expect(phase()).toBe('published');
    for (const shop of shops) await shop.client.runOnce();

    for (const [i, shop] of shops.entries()) {
      const seen = proxies[i]!.requests;
      const ledger = listLedger(shop.db, { limit: 10_000 }).entries.reverse();
      expect(ledger.length).toBe(seen.length);
      expect(ledger.map((e) => [e.method, e.path, e.bytes, e.payloadSha256])).toEqual(
        seen.map((r) => [r.method, r.path, r.bytes, r.sha256]),
      );
      // The identifying headers the ledger shows are the ones that went over the wire.
      ledger.forEach((entry, j) => {
        for (const [name, value] of Object.entries(entry.headers))
          expect(seen[j]!.headers[name], `${entry.kind} ${name}`).toBe(value);
      });
      const kinds = new Set(ledger.map((e) => e.kind));
      for (const kind of [
        'enrol',
        'status',
        'round-status',
        'advertise',
        'shares',
        'masked',
        'model',
      ])
        expect(kinds, kind).toContain(kind);
    }
    // t = 4 of the 5 answers rebuild the sum; the fifth may find the round over.
    const unmasks = shops.filter((shop) =>
      listLedger(shop.db, { limit: 10_000 }).entries.some((e) => e.kind === 'unmask'),
    );
    expect(unmasks.length).toBeGreaterThanOrEqual(4);
  }, 180_000);
});
