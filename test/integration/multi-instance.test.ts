import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openCoordinatorStore } from '../../coordinator/store/database.ts';
import { getModel, modelWeights } from '../../coordinator/store/models.ts';
import type { CoordinatorStore } from '../../coordinator/store/sql.ts';
import { stepSecureRound } from '../../electron/sync/secagg-client.ts';
import { loadSyncState } from '../../electron/sync/state.ts';
import type { RoundView } from '../../federated/protocol/index.ts';
import { tempDir } from './coordinator-harness.ts';
import {
  loginOperator,
  operatorName,
  operatorPassword,
  seedCoordinatorDb,
  spawnCoordinator,
  type CoordinatorProcess,
} from '../support/coordinator-process.ts';
import { startRoundRobinProxy, type RoundRobinProxy } from '../support/round-robin-proxy.ts';
import {
  anyRoundPolicy,
  clippedDelta,
  enrolTestShops,
  integrityOf,
  phaseDeadlines,
  type TestShop,
} from '../support/shops.ts';
import { postgresTarget } from '../support/store-targets.ts';
import { syntheticDays } from '../support/synthetic-days.ts';

/**
 * Two coordinator processes (the shipped CLI) on one PostgreSQL behind a round-robin balancer:
 * every request may land on either, and one of them is SIGKILLed in the middle of each round.
 * What each round publishes is computed here independently, from the shops' own clipped updates.
 */
const target = postgresTarget();
const train = { localEpochs: 5, learningRate: 0.05, clipNorm: 0.1 };
const hour = 3600;

describe.skipIf(target.skip)('several coordinators on one PostgreSQL', () => {
  const instances: CoordinatorProcess[] = [];
  const shops: TestShop[] = [];
  let proxy: RoundRobinProxy | undefined;
  let store: CoordinatorStore | undefined;
  beforeAll(() => target.start(), 120_000);
  afterAll(async () => {
    await proxy?.close();
    for (const instance of instances) await instance.kill();
    for (const shop of shops) shop.db.close();
    await store?.close();
    await target.stop();
  });

  it('behind a round-robin balancer, with one instance SIGKILLed mid-round, publish what one instance would: plain, secure, and at a deadline the survivor keeps; live events reach operators on either', async () => {
    const database = await target.server().createDatabase('consortium');
    await seedCoordinatorDb(database);
    store = await openCoordinatorStore(database);
    const live = [await spawnCoordinator(database), await spawnCoordinator(database)];
    instances.push(...live);
    proxy = await startRoundRobinProxy(() => live.map((instance) => instance.port));
    const operator = await loginOperator(proxy.url);
    shops.push(
      ...(await enrolTestShops(proxy.url, tempDir('breadcast-multi-'), operator, 4, {
        prefix: 'multi',
        days: (i) => syntheticDays(20 + i, 40 + 7 * i),
        // The subject is the coordinators, not the bakery's policy: these bakeries join plain rounds.
        policy: anyRoundPolicy,
      })),
    );
    // Requests really alternate: both instances answered enrolments and logins.
    expect([...proxy.served().values()].every((n) => n >= 3)).toBe(true);

    const weightsOf = async (version: number) => modelWeights((await getModel(store!, version))!);
    const expectAverage = async (
      roundId: number,
      contributors: TestShop[],
      tolerance: number,
    ): Promise<void> => {
      const round = (await operator.call('GET', `/v1/operator/rounds/${roundId}`)).body;
      expect(round.phase, String(round.failureReason)).toBe('published');
      const before = await weightsOf(Number(round.modelVersion));
      const sum = new Float64Array(before.length);
      for (const shop of contributors)
        clippedDelta(shop.trainer, before, train).forEach((v, j) => (sum[j]! += v));
      const published = await weightsOf(Number(round.resultVersion));
      published.forEach((w, j) =>
        expect(Math.abs(w - (before[j]! + sum[j]! / contributors.length))).toBeLessThan(tolerance),
      );
      // Counted once, published once.
      const counts = await store!.get<{ updates: number; published: number; models: number }>(
        `SELECT (SELECT COUNT(*) FROM updates WHERE round_id = ?) AS updates,
                (SELECT COUNT(*) FROM events WHERE kind = 'round.published' AND detail LIKE ?) AS published,
                (SELECT COUNT(*) FROM models WHERE round_id = ?) AS models`,
        [roundId, `{"round":${roundId},%`, roundId],
      );
      expect(counts).toMatchObject({ published: 1, models: 1 });
      if (round.settings && (round.settings as { mode: string }).mode === 'plain')
        expect(counts!.updates).toBe(contributors.length);
    };
    const settle = async (roundId: number, seconds: number) => {
      for (let waited = 0; waited < seconds * 10; waited++) {
        const round = await operator.call('GET', `/v1/operator/rounds/${roundId}`);
        if (round.body.phase === 'published' || round.body.phase === 'failed') return;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    };
    const replace = async (index: number) => {
      await live[index]!.kill();
      live[index] = await spawnCoordinator(database);
      instances.push(live[index]!);
    };
    const plain = (extra: Record<string, unknown> = {}) => ({
      ...train,
      mode: 'plain',
      minShops: 4,
      weighting: 'equal',
      serverOptimizer: { kind: 'fedavg', learningRate: 1 },
      deadlines: phaseDeadlines(hour),
      ...extra,
    });

    // Plain round: two shops upload, one instance dies, the other two upload through the
    // survivor, whose request completes the phase and publishes.
    expect(
      (await operator.call('PUT', '/v1/operator/settings', { schedule: null, round: plain() }))
        .status,
    ).toBe(200);
    const first = Number((await operator.call('POST', '/v1/operator/rounds', {})).body.id);
    for (const shop of shops.slice(0, 2)) await shop.client.runOnce({ ignoreBackoff: true });
    await live[0]!.kill();
    for (const shop of shops.slice(2)) await shop.client.runOnce({ ignoreBackoff: true });
    await settle(first, 10);
    await expectAverage(first, shops, 1e-6);

    // Secure round: the killed instance is back; the other one dies after half the shops sent
    // their shares. Every request it would have answered goes to the other.
    await replace(0);
    expect(
      (
        await operator.call('PUT', '/v1/operator/settings', {
          schedule: null,
          round: {
            ...plain(),
            mode: 'secure',
            minShops: 3,
            secaggThreshold: 3,
            noiseMultiplier: 0,
          },
        })
      ).status,
    ).toBe(200);
    const second = Number((await operator.call('POST', '/v1/operator/rounds', {})).body.id);
    const step = async (shop: TestShop) => {
      const view = (await operator.call('GET', `/v1/operator/rounds/${second}`))
        .body as unknown as RoundView;
      const options = {
        db: shop.db,
        http: shop.http(),
        identity: { shopId: shop.shopId, privateKey: loadSyncState(shop.db)!.privateKey },
        now: () => new Date(),
        computeUpdate: async (r: RoundView) => ({
          delta: Float32Array.from(
            clippedDelta(shop.trainer, await weightsOf(r.modelVersion), {
              ...train,
              clipNorm: 1e9,
            }),
          ),
          sampleCount: 40,
        }),
      };
      try {
        return await stepSecureRound(options, view);
      } catch {
        // A request that reached the dying instance got a 502: the shop polls again.
        return await stepSecureRound(options, view);
      }
    };
    for (const phase of ['advertise', 'share', 'collect', 'confirm', 'unmask']) {
      const round = await operator.call('GET', `/v1/operator/rounds/${second}`);
      expect(round.body.phase).toBe(phase);
      for (const [i, shop] of shops.entries()) {
        if (phase === 'share' && i === 2) await live[1]!.kill();
        await step(shop);
      }
    }
    await settle(second, 10);
    await expectAverage(second, shops, 1e-5);

    // A deadline: the round opens on one instance, the other (started before) learns of it by
    // watching the store; three shops upload, the first instance dies, and the other closes the
    // phase at its deadline. Its dashboard stream heard of the changes made on the first: the
    // settings, then the round it opened.
    await replace(1);
    const events = await openEventStream(live[1]!.url);
    const direct = async (
      instance: CoordinatorProcess,
      method: string,
      path: string,
      body = {},
    ) => {
      const response = await fetch(`${instance.url}${path}`, {
        method,
        headers: {
          cookie: operator.cookie,
          'x-csrf-token': operator.csrfToken,
          'content-type': 'application/json',
        },
        body: JSON.stringify(body),
      });
      expect(response.status).toBe(200);
      return (await response.json()) as Record<string, unknown>;
    };
    await direct(live[0]!, 'PUT', '/v1/operator/settings', {
      schedule: null,
      round: plain({ minShops: 3, deadlines: { ...phaseDeadlines(hour), collectSeconds: 5 } }),
    });
    await events.changed(60_000);
    const third = Number((await direct(live[0]!, 'POST', '/v1/operator/rounds')).id);
    // The round opened on the first instance reaches an operator watching the second one.
    await events.changed(60_000);
    for (const shop of shops.slice(0, 3)) await shop.client.runOnce({ ignoreBackoff: true });
    await live[0]!.kill();
    expect((await operator.call('GET', `/v1/operator/rounds/${third}`)).body.phase).toBe('collect');
    await settle(third, 15);
    await expectAverage(third, shops.slice(0, 3), 1e-6);
    const log = JSON.parse(
      (await store.get<{ phase_log: string }>('SELECT phase_log FROM rounds WHERE id = ?', [
        third,
      ]))!.phase_log,
    ) as { phase: string }[];
    expect(log.map((e) => e.phase)).toEqual(['open', 'collect', 'aggregating', 'published']);
    expect(await store.all('SELECT version FROM models ORDER BY version')).toEqual(
      [1, 2, 3, 4].map((version) => ({ version })),
    );
    events.close();
    for (const shop of shops) expect(integrityOf(shop.db)).toBe('ok');
  }, 240_000);
});

/** The dashboard's server-sent event stream on one instance, logged in there directly. */
async function openEventStream(url: string) {
  const login = await fetch(`${url}/v1/operator/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ name: operatorName, password: operatorPassword }),
  });
  const cookie = login.headers.get('set-cookie')!.split(';')[0]!;
  const controller = new AbortController();
  const response = await fetch(`${url}/v1/operator/events`, {
    headers: { cookie },
    signal: controller.signal,
  });
  const reader = response.body!.getReader();
  let text = '';
  const pump = (async () => {
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) return;
        text += Buffer.from(value).toString('utf8');
      }
    } catch {
      // aborted at close
    }
  })();
  // Changes are reported from the moment the stream says it is connected.
  const start = Date.now();
  while (!text.includes(': connected')) {
    if (Date.now() - start > 60_000) throw new Error(`the event stream never connected: ${text}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  let heard = 0;
  const events = () => text.split('event: changed').length - 1;
  return {
    /** Waits for a change event after the last one this waited for. */
    async changed(timeoutMs: number) {
      const start = Date.now();
      while (events() <= heard) {
        if (Date.now() - start > timeoutMs)
          throw new Error(`no change event within ${timeoutMs} ms: ${text}`);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      heard = events();
    },
    close() {
      controller.abort();
      void pump;
    },
  };
}
