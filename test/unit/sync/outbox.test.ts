import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase, type Db } from '../../../electron/store/database.ts';
import {
  enqueue,
  flushOutbox,
  pendingCount,
  retryDelayMs,
  type OutboxMessage,
} from '../../../electron/sync/outbox.ts';
import { tempDir } from '../../integration/coordinator-harness.ts';

const message = (key: string): OutboxMessage => ({
  kind: 'update',
  roundId: 7,
  idempotencyKey: key,
  path: '/v1/rounds/7/update',
  body: '{"x":1}',
  meta: { kind: 'update', roundId: 7 },
});

describe('sync outbox', () => {
  let db: Db;
  afterEach(() => db?.close());

  it('backs off exponentially up to six hours', () => {
    expect([1, 2, 3].map(retryDelayMs)).toEqual([30_000, 60_000, 120_000]);
    expect(retryDelayMs(30)).toBe(6 * 3600_000);
  });

  it('keeps a message through failures and respects the backoff until it is acknowledged', async () => {
    db = openDatabase(join(tempDir('breadcast-outbox-'), 'shop.db'));
    let clock = Date.parse('2026-11-27T01:00:00Z');
    const now = () => new Date(clock);
    expect(enqueue(db, message('update:7'), now())).toBe(true);
    expect(enqueue(db, message('update:7'), now())).toBe(false);
    let online = false;
    let deliveries = 0;
    const deliver = async () => {
      deliveries++;
      if (!online) throw Object.assign(new Error('offline'), { code: 'offline' });
      return null;
    };
    const classify = (e: unknown) => ({ retryable: true, message: (e as Error).message });
    for (let day = 0; day < 3; day++) {
      await flushOutbox(db, deliver, classify, { now });
      clock += 86_400_000;
    }
    expect(deliveries).toBe(3);
    const row = db.prepare('SELECT attempts, last_error FROM sync_outbox').get() as {
      attempts: number;
      last_error: string;
    };
    expect(row).toEqual({ attempts: 3, last_error: 'offline' });
    // Not due yet: nothing is sent before the backoff passes.
    await flushOutbox(db, deliver, classify, {
      now: () => new Date(Date.parse('2026-11-27T01:00:00Z')),
    });
    expect(deliveries).toBe(3);
    online = true;
    expect((await flushOutbox(db, deliver, classify, { now })).sent).toBe(1);
    expect(pendingCount(db)).toBe(0);
    expect(deliveries).toBe(4);
  });

  it('drops what the coordinator will never accept, with the reason', async () => {
    db = openDatabase(join(tempDir('breadcast-outbox-'), 'shop.db'));
    enqueue(db, message('update:8'), new Date());
    const result = await flushOutbox(
      db,
      async () => {
        throw new Error('round closed');
      },
      () => ({ retryable: false, message: 'round closed' }),
      { now: () => new Date() },
    );
    expect(result.dropped).toEqual(['update:8: round closed']);
    expect(pendingCount(db)).toBe(0);
  });
});
