import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createInvite } from '../../../coordinator/store/shops.ts';
import { ApiError } from '../../../electron/api/dispatcher.ts';
import { contract } from '../../../electron/api/contract/index.ts';
import type { BackendContext } from '../../../electron/backend/context.ts';
import { EventBus } from '../../../electron/backend/events.ts';
import { openDatabase } from '../../../electron/store/database.ts';
import { syncHandlers } from '../../../electron/sync/handlers.ts';
import {
  chainDays,
  linearTrainer,
  operatorSession,
  silentLog,
  startCoordinator,
  tempDir,
} from '../../integration/coordinator-harness.ts';

describe('sync and ledger API methods', () => {
  const dir = tempDir('breadcast-sync-api-');
  let app: FastifyInstance;
  let url: string;
  const db = openDatabase(join(dir, 'shop.db'));
  const context: BackendContext = {
    db,
    databasePath: join(dir, 'shop.db'),
    events: new EventBus(),
    log: silentLog,
    now: () => new Date(),
    transport: 'http',
  };
  const handlers = syncHandlers(context, () => linearTrainer(chainDays(5, 'pretzel', 60)));
  const call = async <M extends keyof typeof handlers>(method: M, input: unknown) =>
    (handlers[method] as (i: unknown) => unknown)(contract[method].input.parse(input));

  beforeAll(async () => ({ app, url } = await startCoordinator(join(dir, 'c.db'))));
  afterAll(async () => {
    await app.close();
    db.close();
  });

  it('enrols, takes part in a round, and lists and exports what left the bakery', async () => {
    expect(await call('sync.status', {})).toMatchObject({
      enrolled: false,
      pendingOutbox: 0,
      lastError: null,
    });
    await expect(call('sync.runNow', {})).rejects.toThrow(ApiError);
    await expect(
      call('sync.enrol', {
        coordinatorUrl: url,
        inviteCode: 'WRONG-CODE1',
        shopName: 'Corner bakery',
      }),
    ).rejects.toThrow(/invite code is not known/);
    const code = await createInvite(
      app.coordinator.store,
      { expiresAt: new Date(Date.now() + 60_000), operatorId: null },
      new Date(),
    );
    const events: string[] = [];
    context.events.subscribe((e) => events.push(e.type));
    const status = await call('sync.enrol', {
      coordinatorUrl: url,
      inviteCode: code,
      shopName: 'Corner bakery',
    });
    expect(status).toMatchObject({
      enrolled: true,
      coordinatorUrl: url,
      shopName: 'Corner bakery',
    });
    expect(events).toContain('data.changed');

    const operator = await operatorSession(app, url);
    await operator.call('POST', '/v1/operator/rounds', {
      settings: { minShops: 1, clipNorm: 0.2 },
    });
    const run = (await call('sync.runNow', {})) as {
      participatedInRound: number;
      status: { modelVersion: number };
    };
    expect(run.participatedInRound).toBe(1);
    const again = (await call('sync.runNow', {})) as {
      participatedInRound: number | null;
      status: { modelVersion: number };
    };
    expect(again.participatedInRound).toBeNull();
    expect(again.status.modelVersion).toBe(2);

    const ledger = (await call('ledger.list', {})) as {
      entries: { kind: string; roundId: number | null; clipNorm: number | null; summary: string }[];
      total: number;
    };
    expect(ledger.entries.map((e) => e.kind).sort()).toEqual(['metrics', 'metrics', 'update']);
    const update = ledger.entries.find((e) => e.kind === 'update')!;
    expect(update).toMatchObject({ roundId: 1, clipNorm: 0.2 });
    expect(update.summary).toMatch(/round 1.*9 numbers/);
    const csv = (await call('ledger.export', { format: 'csv' })) as {
      content: string;
      fileName: string;
    };
    expect(csv.fileName).toMatch(/\.csv$/);
    expect(csv.content.trim().split('\n')).toHaveLength(4);
    const json = (await call('ledger.export', { format: 'json' })) as { content: string };
    expect(JSON.parse(json.content)).toHaveLength(3);
  });
});
