import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { EventBus } from '../../electron/backend/events.ts';
import { TrainingManager } from '../../electron/forecast/training-manager.ts';
import { silentLog } from './coordinator-harness.ts';
import {
  anyRoundPolicy,
  phaseDeadlines,
  startConsortium,
  stopConsortia,
} from '../support/shops.ts';

/*
 * The nightly sync of a shop in a secure round: one call of runUntilRoundSettles (what the
 * nightly job runs after training) keeps polling through the round's phases, concurrently in
 * every shop, against the shipped coordinator CLI; and it gives up after its bound.
 */

const hour = 3600;
afterAll(stopConsortia);

function phaseOf(path: string, id: number): string {
  const db = new Database(path, { readonly: true });
  try {
    return (db.prepare('SELECT phase FROM rounds WHERE id = ?').get(id) as { phase: string }).phase;
  } finally {
    db.close();
  }
}

describe('nightly sync during a secure round', () => {
  it('polls until the round publishes in every shop at once; with a shop missing it stops at its bound and says what it waits for', async () => {
    const { dbPath, operator, shops } = await startConsortium(
      'secure-nightly',
      3,
      'night',
      anyRoundPolicy,
    );
    const put = await operator.call('PUT', '/v1/operator/settings', {
      schedule: null,
      round: {
        mode: 'secure',
        minShops: 2,
        secaggThreshold: 3,
        noiseMultiplier: 0.8,
        clipNorm: 0.5,
        deadlines: phaseDeadlines(hour),
      },
    });
    expect(put.status, JSON.stringify(put.body)).toBe(200);

    const first = await operator.call('POST', '/v1/operator/rounds', {});
    const firstId = Number(first.body.id);
    const results = await Promise.all(
      shops.map((shop) => shop.client.runUntilRoundSettles({ pollMs: 30, maxMs: 30_000 })),
    );
    expect(phaseOf(dbPath, firstId)).toBe('published');
    for (const result of results) {
      expect(result.status.lastError).toBeNull();
      expect(result.status.currentRound).toMatchObject({ id: firstId, phase: 'published' });
      expect(result.status.roundActivity).toBeNull();
      // The new model arrives in the same nightly sync.
      expect(result.status.modelVersion).toBe(Number(first.body.modelVersion) + 1);
      expect(result.status.privacy.rounds).toBe(1);
    }

    // Second round, the third shop is off tonight: advertise waits for it until its deadline
    // (an hour), so the others poll until their bound and stop, saying what they wait for.
    const second = await operator.call('POST', '/v1/operator/rounds', {});
    const secondId = Number(second.body.id);
    const started = Date.now();
    const waiting = await Promise.all(
      shops
        .slice(0, 2)
        .map((shop) => shop.client.runUntilRoundSettles({ pollMs: 50, maxMs: 1_000 })),
    );
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(phaseOf(dbPath, secondId)).toBe('advertise');
    for (const result of waiting) {
      expect(result.status.roundActivity).toMatch(new RegExp(`round ${secondId}`));
      expect(result.message).toMatch(/Waiting for the other bakeries/);
    }
    expect(shops[0]!.client.inSecureRound()).toBe(true);
  });

  it('the scheduled nightly training is followed by a sync of an enrolled bakery (even when training has nothing to learn from)', async () => {
    const [shop] = (await startConsortium('nightly-sync', 1, 'sched')).shops;
    expect(shop!.client.status().modelVersion).toBeNull();
    const events = new EventBus();
    // The hold on sleep is released when the night's work ends: record what the bakery had then.
    const released: (number | null)[] = [];
    const manager = new TrainingManager(
      {
        db: shop!.db,
        databasePath: shop!.path,
        events,
        log: silentLog,
        now: () => new Date(),
        transport: 'http',
        weather: null,
      },
      () => () => released.push(shop!.client.status().modelVersion),
    );
    await manager.scheduler.trigger('schedule');
    // The machine was held awake until the sync had fetched the consortium's model from the real
    // coordinator, not only until training ended.
    expect(released).toEqual([1]);
    expect(shop!.client.status().lastError).toBeNull();
  });
});
