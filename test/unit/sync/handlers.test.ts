import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createInvite } from '../../../coordinator/store/shops.ts';
import { ApiError } from '../../../electron/api/dispatcher.ts';
import { contract } from '../../../electron/api/contract/index.ts';
import type { BackendContext } from '../../../electron/backend/context.ts';
import { EventBus } from '../../../electron/backend/events.ts';
import { privacyHandlers } from '../../../electron/privacy/handlers.ts';
import { savePrivacyPolicy } from '../../../electron/privacy/policy.ts';
import { openDatabase } from '../../../electron/store/database.ts';
import { SyncClient } from '../../../electron/sync/client.ts';
import { syncHandlers } from '../../../electron/sync/handlers.ts';
import {
  chainDays,
  linearTrainer,
  operatorSession,
  silentLog,
  startCoordinator,
  tempDir,
} from '../../integration/coordinator-harness.ts';
import { anyRoundPolicy } from '../../support/shops.ts';

describe('sync, ledger and privacy API methods', () => {
  const dir = tempDir('breadcast-sync-api-');
  let app: FastifyInstance;
  let url: string;
  const db = openDatabase(join(dir, 'shop.db'));
  const other = openDatabase(join(dir, 'other.db'));
  const context: BackendContext = {
    db,
    databasePath: join(dir, 'shop.db'),
    events: new EventBus(),
    log: silentLog,
    now: () => new Date(),
    transport: 'http',
    weather: null,
  };
  const handlers = {
    ...syncHandlers(context, () => linearTrainer(chainDays(5, 'pretzel', 60))),
    ...privacyHandlers(context),
  };
  const call = async <M extends keyof typeof handlers>(method: M, input: unknown) =>
    (handlers[method] as (i: unknown) => unknown)(contract[method].input.parse(input));

  beforeAll(async () => ({ app, url } = await startCoordinator(join(dir, 'c.db'))));
  afterAll(async () => {
    await app.close();
    db.close();
    other.close();
  });

  it('enrols, skips a plain round under the default policy, takes part once allowed, and lists and exports every request', async () => {
    expect(await call('sync.status', {})).toMatchObject({
      enrolled: false,
      pendingOutbox: 0,
      lastError: null,
      privacy: { rounds: 0, epsilon: 0 },
    });
    await expect(call('sync.runNow', {})).rejects.toThrow(ApiError);
    await expect(
      call('sync.enrol', {
        coordinatorUrl: url,
        inviteCode: 'WRONG-CODE1',
        shopName: 'Corner bakery',
      }),
    ).rejects.toThrow(/invite code is not known/);
    const invite = () =>
      createInvite(
        app.coordinator.store,
        { expiresAt: new Date(Date.now() + 60_000), operatorId: null },
        new Date(),
      );
    const events: string[] = [];
    context.events.subscribe((e) => events.push(e.type));
    const status = await call('sync.enrol', {
      coordinatorUrl: url,
      inviteCode: await invite(),
      shopName: 'Corner bakery',
    });
    expect(status).toMatchObject({
      enrolled: true,
      coordinatorUrl: url,
      shopName: 'Corner bakery',
    });
    expect(events).toContain('data.changed');
    // A second bakery, so a round of two can publish.
    savePrivacyPolicy(other, anyRoundPolicy, new Date());
    const second = new SyncClient({
      db: other,
      trainer: linearTrainer(chainDays(17, 'pretzel', 60)),
      appVersion: '0.1.0',
    });
    await second.enrol({
      coordinatorUrl: url,
      inviteCode: await invite(),
      shopName: 'Mill bakery',
    });

    const operator = await operatorSession(app, url);
    await operator.call('POST', '/v1/operator/rounds', {
      settings: { mode: 'plain', minShops: 2, clipNorm: 0.2 },
    });
    const skipped = (await call('sync.runNow', {})) as { participatedInRound: number | null };
    expect(skipped.participatedInRound).toBeNull();
    const rounds = (await call('ledger.rounds', {})) as {
      rounds: { roundId: number; kinds: Record<string, number>; story: unknown }[];
    };
    expect(rounds.rounds).toEqual([
      expect.objectContaining({
        roundId: 1,
        story: { outcome: 'skipped', stage: 'settings', reasons: [{ code: 'not-masked' }] },
      }),
    ]);
    // Nothing but the report of the refusal was sent for the round.
    expect(Object.keys(rounds.rounds[0]!.kinds)).toEqual(['refusal']);

    const policy = (await call('privacy.policy', {})) as { policy: unknown; defaults: unknown };
    expect(policy.policy).toEqual(policy.defaults);
    await expect(call('privacy.setPolicy', { ...anyRoundPolicy, minShops: 1 })).rejects.toThrow();
    const changed = (await call('privacy.setPolicy', anyRoundPolicy)) as { policy: unknown };
    expect(changed.policy).toEqual(anyRoundPolicy);

    // Round 1 stays skipped (a decision is final); round 2 is taken.
    await second.runOnce();
    await operator.call('POST', `/v1/operator/rounds/1/close-phase`);
    await operator.call('POST', '/v1/operator/rounds', {
      settings: { mode: 'plain', minShops: 2, clipNorm: 0.2 },
    });
    const run = (await call('sync.runNow', {})) as { participatedInRound: number | null };
    expect(run.participatedInRound).toBe(2);
    await second.runOnce();
    const again = (await call('sync.runNow', {})) as {
      participatedInRound: number | null;
      status: { modelVersion: number; privacy: { epsilon: number | null; plainUpdates: number } };
    };
    expect(again.participatedInRound).toBeNull();
    expect(again.status.modelVersion).toBe(2);
    // A plain update: no formal guarantee from then on.
    expect(again.status.privacy).toMatchObject({ epsilon: null, plainUpdates: 1 });

    const ledger = (await call('ledger.list', {})) as {
      entries: { kind: string; roundId: number | null; method: string; path: string }[];
      total: number;
    };
    const kinds = ledger.entries.map((e) => e.kind);
    expect(kinds.filter((k) => k === 'update')).toHaveLength(1);
    expect(kinds).toEqual(
      expect.arrayContaining(['enrol', 'status', 'checkin', 'model', 'refusal']),
    );
    expect(ledger.entries.find((e) => e.kind === 'update')).toMatchObject({
      roundId: 2,
      method: 'POST',
      path: '/v1/rounds/2/update',
    });
    const round2 = (await call('ledger.list', { roundId: 2 })) as { entries: { kind: string }[] };
    expect(round2.entries.map((e) => e.kind).sort()).toEqual(['checkin', 'update']);
    const csv = (await call('ledger.export', { format: 'csv' })) as {
      content: string;
      fileName: string;
    };
    expect(csv.fileName).toMatch(/\.csv$/);
    expect(csv.content.split('\n')[0]).toBe(
      'id,roundId,kind,sentAt,method,path,bytes,answer,status,clipNorm,noiseMultiplier,epsilonSpent,payloadSha256,headers,details,summary',
    );
    const json = (await call('ledger.export', { format: 'json' })) as { content: string };
    expect(JSON.parse(json.content)).toHaveLength(ledger.total);
  });
});
