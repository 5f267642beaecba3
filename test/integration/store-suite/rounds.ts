/** Rounds on a shared database: several engines and coordinators, the schedule, the change feed. */
import { expect, it } from 'vitest';
import { buildCoordinator } from '../../../coordinator/app.ts';
import { stepSecureRound } from '../../../electron/sync/secagg-client.ts';
import { loadSyncState } from '../../../electron/sync/state.ts';
import type { RoundView } from '../../../federated/protocol/index.ts';
import { operatorSession, parameterCount, tempDir } from '../coordinator-harness.ts';
import {
  anyRoundPolicy,
  clippedDelta,
  enrolTestShops,
  phaseDeadlines,
  type TestShop,
} from '../../support/shops.ts';
import { syntheticDays } from '../../support/synthetic-days.ts';
import { pino } from 'pino';
import { ChangeFeed } from '../../../coordinator/overview/change-feed.ts';
import { RoundEngine } from '../../../coordinator/rounds/engine.ts';
import { ensureInitialModel } from '../../../coordinator/rounds/initial-model.ts';
import { plainMode } from '../../../coordinator/rounds/plain-mode.ts';
import { acceptPlainUpdate } from '../../../coordinator/rounds/plain-upload.ts';
import { getModel, modelWeights } from '../../../coordinator/store/models.ts';
import { getRound } from '../../../coordinator/store/rounds.ts';
import { putSetting } from '../../../coordinator/store/settings.ts';
import { roundSettings } from '../../../federated/protocol/index.ts';
import { at, enrol } from '../../support/coordinator-history.ts';
import { answeredAll } from '../../../coordinator/secagg/answered.ts';
import { insertMessage } from '../../../coordinator/store/secagg.ts';
import { type SuiteContext, silent, updateBody, collecting, engineOn } from './context.ts';

export function roundsCases({ target, fresh, connect }: SuiteContext): void {
  it('two engines on one database: one round starts, each phase changes once, the round publishes once', async () => {
    const { store, database } = await fresh();
    const other = target.kind === 'postgres' ? await connect(database) : store;
    const [a, b] = [engineOn(store), engineOn(other)];
    await ensureInitialModel(store, () => new Float32Array(4), silent, new Date());
    const shops = [await enrol(store, 'A', at(0)), await enrol(store, 'B', at(1))];
    await putSetting(store, 'coordinator', {
      schedule: null,
      round: roundSettings.parse(collecting),
      privacy: { delta: 1e-5, budget: null },
    });
    const started = await Promise.allSettled([a.startRound('operator'), b.startRound('operator')]);
    expect(started.filter((s) => s.status === 'fulfilled')).toHaveLength(1);
    expect(started.find((s) => s.status === 'rejected')).toMatchObject({
      reason: { code: 'round-active' },
    });
    const round = (
      started.find((s) => s.status === 'fulfilled') as PromiseFulfilledResult<{ id: number }>
    ).value;
    expect((await getRound(store, round.id))!.phase).toBe('collect');
    await acceptPlainUpdate(
      store,
      { roundId: round.id, shopId: shops[0]!, body: updateBody([0.1, 0.1, 0.1, 0.1]) },
      new Date(),
    );
    await acceptPlainUpdate(
      other,
      { roundId: round.id, shopId: shops[1]!, body: updateBody([0.3, 0.3, 0.3, 0.3]) },
      new Date(),
    );
    // Both see the phase complete and both close it (and the operator too): one transition.
    await Promise.all([
      a.afterRequest(round.id),
      b.afterRequest(round.id),
      a.advance(round.id, 'operator', 'collect'),
      b.advance(round.id, 'operator', 'collect'),
    ]);
    a.close();
    b.close();
    const done = (await getRound(store, round.id))!;
    expect(done.phase).toBe('published');
    expect((JSON.parse(done.phase_log) as { phase: string }[]).map((e) => e.phase)).toEqual([
      'open',
      'collect',
      'aggregating',
      'published',
    ]);
    expect(await store.all('SELECT version FROM models ORDER BY version')).toEqual([
      { version: 1 },
      { version: 2 },
    ]);
    expect(
      await store.get("SELECT COUNT(*) AS c FROM events WHERE kind = 'round.published'"),
    ).toEqual({ c: 1 });
    const published = new Float32Array(new Uint8Array((await getModel(store, 2))!.weights).buffer);
    expect([...published].map((w) => Math.round(w * 1e6) / 1e6)).toEqual([0.2, 0.2, 0.2, 0.2]);
  });

  it('serves a plain and a secure round over signed HTTP and publishes the exact average of the clipped updates', async () => {
    const { store } = await fresh();
    const dir = tempDir(`breadcast-store-http-${target.kind}-`);
    const app = await buildCoordinator({
      db: store,
      logger: silent,
      initialWeights: () => new Float32Array(parameterCount),
      schedule: false,
    });
    const shops: TestShop[] = [];
    try {
      await app.listen({ host: '127.0.0.1', port: 0 });
      const url = `http://127.0.0.1:${(app.server.address() as { port: number }).port}`;
      const operator = await operatorSession(app, url);
      shops.push(
        ...(await enrolTestShops(url, dir, operator, 3, {
          prefix: target.kind,
          days: (i) => syntheticDays(i + 1, 40 + 7 * i),
          // These bakeries take part in the plain round and the noiseless secure one.
          policy: anyRoundPolicy,
        })),
      );
      const train = { localEpochs: 5, learningRate: 0.05, clipNorm: 0.1 };
      const weightsOf = async (version: number) => modelWeights((await getModel(store, version))!);
      for (const mode of ['plain', 'secure'] as const) {
        const put = await operator.call('PUT', '/v1/operator/settings', {
          schedule: null,
          round: {
            ...train,
            mode,
            minShops: 3,
            secaggThreshold: 3,
            noiseMultiplier: 0,
            weighting: 'equal',
            serverOptimizer: { kind: 'fedavg', learningRate: 1 },
            deadlines: phaseDeadlines(3600),
          },
        });
        expect(put.status, JSON.stringify(put.body)).toBe(200);
        const opened = await operator.call('POST', '/v1/operator/rounds', {});
        expect(opened.status, JSON.stringify(opened.body)).toBe(200);
        const roundId = Number(opened.body.id);
        const before = await weightsOf(Number(opened.body.modelVersion));
        const round = async () =>
          (await operator.call('GET', `/v1/operator/rounds/${roundId}`)).body;
        for (let pass = 0; pass < 6 && (await round()).phase !== 'published'; pass++)
          for (const shop of shops) {
            if (mode === 'plain') {
              await shop.client.runOnce({ ignoreBackoff: true });
              continue;
            }
            await stepSecureRound(
              {
                db: shop.db,
                http: shop.http(),
                identity: { shopId: shop.shopId, privateKey: loadSyncState(shop.db)!.privateKey },
                now: () => new Date(),
                computeUpdate: async (r) => ({
                  delta: Float32Array.from(
                    clippedDelta(shop.trainer, await weightsOf(r.modelVersion), {
                      ...train,
                      clipNorm: 1e9,
                    }),
                  ),
                  sampleCount: 40,
                }),
              },
              (await round()) as unknown as RoundView,
            );
          }
        const done = await round();
        expect(done.phase, `${mode}: ${String(done.failureReason)}`).toBe('published');
        const sum = new Float64Array(before.length);
        for (const shop of shops)
          clippedDelta(shop.trainer, before, train).forEach((v, j) => (sum[j]! += v));
        const published = await weightsOf(Number(done.resultVersion));
        // Masked sums are fixed-point: 1e-5; the plain average is exact to float32.
        published.forEach((w, j) =>
          expect(Math.abs(w - (before[j]! + sum[j]! / shops.length))).toBeLessThan(
            mode === 'plain' ? 1e-6 : 1e-5,
          ),
        );
      }
    } finally {
      await app.close();
      for (const shop of shops) shop.db.close();
    }
  });

  it('the nightly schedule opens one round per slot, however many coordinators keep it', async () => {
    const { store, database } = await fresh();
    const other = target.kind === 'postgres' ? await connect(database) : store;
    await ensureInitialModel(store, () => new Float32Array(4), silent, new Date());
    await putSetting(store, 'coordinator', {
      schedule: '* * * * * *',
      round: roundSettings.parse({ ...collecting, minShops: 50 }),
      privacy: { delta: 1e-5, budget: null },
    });
    const errors: string[] = [];
    const log = pino({ level: 'warn' }, { write: (line: string) => errors.push(line) });
    const engines = [store, other].map(
      (s) => new RoundEngine({ store: s, log, now: () => new Date(), modes: [plainMode] }),
    );
    for (const engine of engines) await engine.schedule();
    await new Promise((resolve) => setTimeout(resolve, 3500));
    for (const engine of engines) engine.close();
    const claims = await store.all<{ slot: string; claimed_by: string }>(
      'SELECT slot, claimed_by FROM scheduled_runs ORDER BY slot',
    );
    const rounds = await store.all<{ opened_at: string; trigger: string }>(
      'SELECT opened_at, trigger FROM rounds ORDER BY id',
    );
    // Every slot was claimed once (the other coordinator stood aside, no "round already
    // running" refusal), and a round opened in a claimed slot whenever none was running.
    expect(errors).toEqual([]);
    expect(claims.length).toBeGreaterThanOrEqual(2);
    expect(new Set(claims.map((c) => c.slot)).size).toBe(claims.length);
    expect(rounds.length).toBeGreaterThanOrEqual(1);
    expect(rounds.every((r) => r.trigger === 'schedule')).toBe(true);
    const seconds = new Set(claims.map((c) => c.slot.replace(/^.*:(\d{4}-.*T[\d:]+)\..*$/, '$1')));
    for (const round of rounds) expect(seconds).toContain(round.opened_at.slice(0, 19));
  });

  it('tells the dashboard that something changed, whoever changed it', async () => {
    const { store, database } = await fresh();
    const other = target.kind === 'postgres' ? await connect(database) : store;
    const feed = new ChangeFeed(store, 60_000);
    let changes = 0;
    const unsubscribe = feed.subscribe(() => changes++);
    await feed.check();
    expect(changes).toBe(0);
    await putSetting(other, 'coordinator', { schedule: null });
    await feed.check();
    expect(changes).toBe(1);
    await enrol(other, 'New', at(3));
    await feed.check();
    await feed.check();
    expect(changes).toBe(2);
    unsubscribe();
  });

  it('ends a phase only once every expected shop answered, though the counts it checks first overstate', async () => {
    const { store } = await fresh();
    const t = at(0).toISOString();
    await store.run(
      "INSERT INTO models (version, parameter_count, weights, sha256, created_at) VALUES (1, 1, ?, 'x', ?)",
      [Buffer.alloc(4), t],
    );
    await store.run(
      "INSERT INTO rounds (id, phase, model_version, settings, trigger, opened_at, phase_log) VALUES (1, 'share', 1, '{}', 'cli', ?, '[]')",
      [t],
    );
    const [a, b, c] = [
      await enrol(store, 'A', at(0)),
      await enrol(store, 'B', at(0)),
      await enrol(store, 'C', at(0)),
    ];
    const send = (id: string) =>
      insertMessage(store, 1, 'shares', id, {
        digest: 'd',
        body: Buffer.from('{}'),
        receivedAt: t,
      });
    const expected = new Set([a, c]);
    await send(a);
    expect(await answeredAll(store, 1, 'shares', expected, true)).toBe(false);
    // b is not expected (dropped after it sent): as many messages as expected shops, c still missing.
    await send(b);
    expect(await answeredAll(store, 1, 'shares', expected, true)).toBe(false);
    await store.run(
      "INSERT INTO round_refusals (round_id, shop_id, stage, reasons, payload_sha256, received_at) VALUES (1, ?, 'roster', '[]', 'x', ?)",
      [c, t],
    );
    expect(await answeredAll(store, 1, 'shares', expected, true)).toBe(true);
    expect(await answeredAll(store, 1, 'shares', expected, false)).toBe(false);
  });
}
