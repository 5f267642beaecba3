import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createInvite } from '../../../coordinator/store/shops.ts';
import { openDatabase, type Db } from '../../../electron/store/database.ts';
import { SyncClient } from '../../../electron/sync/client.ts';
import { loadSyncState, updateSyncState } from '../../../electron/sync/state.ts';
import {
  chainDays,
  linearTrainer,
  startCoordinator,
  tempDir,
} from '../../integration/coordinator-harness.ts';

describe('sync client against a real coordinator', () => {
  const dir = tempDir('breadcast-client-');
  let app: FastifyInstance;
  let url: string;
  const dbs: Db[] = [];
  beforeAll(async () => ({ app, url } = await startCoordinator(join(dir, 'c.db'))));
  afterAll(async () => {
    await app.close();
    dbs.forEach((db) => db.close());
  });
  const invite = () =>
    createInvite(
      app.coordinator.store,
      { expiresAt: new Date(Date.now() + 3600_000), operatorId: null },
      new Date(),
    );
  const shop = (options: { now?: () => Date; fetch?: typeof fetch } = {}) => {
    const db = openDatabase(join(dir, `shop-${dbs.length}.db`));
    dbs.push(db);
    return {
      db,
      client: new SyncClient({
        db,
        trainer: linearTrainer(chainDays(2, 'roll', 40)),
        appVersion: '0.1.0',
        ...options,
      }),
    };
  };

  it('corrects a clock that is hours off, from the coordinator’s answer', async () => {
    const { db, client } = shop({ now: () => new Date(Date.now() - 3 * 3600_000) });
    await client.enrol({ coordinatorUrl: url, inviteCode: await invite(), shopName: 'Slow clock' });
    // The clock drifts after enrolment: the first signed request is refused, then corrected.
    updateSyncState(db, { clockOffsetMs: 0 });
    const result = await client.runOnce();
    expect(result.status.lastError).toBeNull();
    expect(result.modelVersion).toBe(1);
    expect(loadSyncState(db)!.clockOffsetMs / 3600_000).toBeCloseTo(3, 1);
  });

  it('says "please update" when the coordinator refuses its protocol', async () => {
    const oldApp: typeof fetch = (input, init) =>
      fetch(input, {
        ...init,
        headers: { ...(init?.headers as Record<string, string>), 'x-breadcast-protocol': '0' },
      });
    const { client } = shop({ fetch: oldApp });
    await expect(
      client.enrol({ coordinatorUrl: url, inviteCode: await invite(), shopName: 'Old app' }),
    ).rejects.toThrow(/please update/i);
    expect(client.status().enrolled).toBe(false);
  });

  it('explains in plain words when the coordinator is unreachable or the invite is wrong', async () => {
    const { client } = shop();
    await expect(
      client.enrol({
        coordinatorUrl: 'http://127.0.0.1:9',
        inviteCode: 'ABCDE-FGHIJ',
        shopName: 'X',
      }),
    ).rejects.toThrow(/cannot be reached/);
    await expect(
      client.enrol({ coordinatorUrl: url, inviteCode: 'ABCDE-FGHIJ', shopName: 'X' }),
    ).rejects.toThrow(/invite code is not known/);
    await expect(client.runOnce()).rejects.toThrow(/not joined a consortium/);
  });
});
