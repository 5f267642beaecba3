import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { activeModel } from '../../electron/forecast/model-store.ts';
import { commitImport } from '../../electron/logs/import/importer.ts';
import { fileSource } from '../../electron/logs/import/source.ts';
import { openDatabase } from '../../electron/store/database.ts';
import { listLedger } from '../../electron/sync/ledger.ts';
import { pendingCount } from '../../electron/sync/outbox.ts';
import { SyncClient } from '../../electron/sync/client.ts';
import {
  chainDays,
  linearTrainer,
  operatorSession,
  startCoordinator,
  tempDir,
} from './coordinator-harness.ts';
import { projectRoot } from '../support/coordinator-process.ts';
import { databaseFingerprint, tableCounts } from '../support/db-fingerprint.ts';
import { startFlakyProxy } from '../support/flaky-proxy.ts';
import { anyRoundPolicy, enrolTestShops, integrityOf } from '../support/shops.ts';
import { bakeryChainCsv as chain } from '../../electron/logs/demo.ts';
import { sqliteOf } from '../support/coordinator-store.ts';

/** Starts test/support/shop-child.ts and resolves once it printed a line matching `ready`. */
async function shopChild(args: string[], ready: RegExp): Promise<ChildProcess> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', 'test/support/shop-child.ts', ...args],
    { cwd: projectRoot, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let output = '';
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`child never ready:\n${output}`)), 90_000);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (ready.test(output)) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`child exited (${code ?? signal}) before ready:\n${output}`));
    });
  });
  return child;
}

function sigkill(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    child.removeAllListeners('exit');
    child.once('exit', () => resolve());
    child.kill('SIGKILL');
  });
}

const closers: (() => unknown)[] = [];
afterAll(async () => {
  for (const close of closers.reverse()) await close();
});

describe('shop process killed', () => {
  const dir = tempDir('breadcast-fault-shop-');
  const shopPath = join(dir, 'bakery.db');

  it('during a database write: SIGKILL inside the import transaction leaves the file intact and exactly as before', async () => {
    const db = openDatabase(shopPath);
    await commitImport(db, fileSource(chain), { store: '5' });
    const before = databaseFingerprint(db);
    const counts = tableCounts(db);
    db.close();

    // Store 2 has thousands of rows; the child is stopped after 1500 of them are written.
    const child = await shopChild(['import', shopPath, chain, '2', '1500'], /mid-transaction/);
    await sigkill(child);

    const after = openDatabase(shopPath);
    closers.push(() => after.close());
    expect(integrityOf(after)).toBe('ok');
    expect(tableCounts(after)).toEqual(counts);
    expect(databaseFingerprint(after)).toBe(before);
  });

  it('during training: SIGKILL while the worker trains leaves the models, the active model and every row untouched', async () => {
    const db = openDatabase(shopPath);
    const before = databaseFingerprint(db);
    const active = activeModel(db)?.weightsHash ?? null;
    db.close();
    const child = await shopChild(['train', shopPath], /epoch 2\b/);
    await sigkill(child);
    const after = openDatabase(shopPath);
    closers.push(() => after.close());
    expect(integrityOf(after)).toBe('ok');
    expect(activeModel(after)?.weightsHash ?? null).toBe(active);
    expect(databaseFingerprint(after)).toBe(before);
  });
});

describe('shop process killed during upload', () => {
  let app: FastifyInstance;
  it('the update reached the coordinator, the process died before the answer: on restart the outbox resends, the coordinator counts it once', async () => {
    const dir = tempDir('breadcast-fault-upload-');
    const started = await startCoordinator(join(dir, 'coordinator.db'));
    app = started.app;
    closers.push(() => app.close());
    const operator = await operatorSession(app, started.url);
    await operator.call('PUT', '/v1/operator/settings', {
      schedule: null,
      round: {
        mode: 'plain',
        localEpochs: 5,
        learningRate: 0.05,
        clipNorm: 0.1,
        minShops: 2,
        weighting: 'equal',
        deadlines: {
          openSeconds: 0,
          advertiseSeconds: 60,
          shareSeconds: 60,
          collectSeconds: 600,
          confirmSeconds: 60,
          unmaskSeconds: 60,
        },
      },
    });
    // The proxy swallows the answer to the upload, so the shop process is mid-request.
    const proxy = await startFlakyProxy(started.port, {
      current: (line) =>
        /^POST \/v1\/rounds\/\d+\/update /.test(line) ? { during: 'answer', at: 0 } : null,
    });
    closers.push(() => proxy.close());
    const shops = await enrolTestShops(proxy.url, dir, operator, 2, {
      prefix: 'upl',
      policy: anyRoundPolicy,
    });
    const [victim, other] = shops as [(typeof shops)[0], (typeof shops)[0]];
    closers.push(() => other.db.close());
    victim.db.close();
    await operator.call('POST', '/v1/operator/rounds', {});

    const child = await shopChild(['sync', victim.path, '2', '40'], /syncing/);
    const received = () =>
      sqliteOf(app)
        .prepare('SELECT COUNT(*) AS n FROM updates WHERE shop_id = ?')
        .get(victim.shopId) as { n: number };
    const deadline = Date.now() + 60_000;
    while (received().n === 0 && Date.now() < deadline)
      await new Promise((resolve) => setTimeout(resolve, 50));
    expect(received().n).toBe(1);
    await sigkill(child);

    // The bakery starts again: its outbox still holds the unacknowledged upload.
    const db = openDatabase(victim.path);
    closers.push(() => db.close());
    expect(integrityOf(db)).toBe('ok');
    expect(pendingCount(db)).toBe(1);
    const restarted = new SyncClient({
      db,
      trainer: linearTrainer(chainDays(2, 'roll', 40)),
      appVersion: '0.1.0',
      fetch: (input, init) => fetch(String(input).replace(proxy.url, started.url), init),
    });
    const result = await restarted.runOnce({ ignoreBackoff: true });
    expect(result.status.lastError).toBeNull();
    expect(pendingCount(db)).toBe(0);
    expect(received().n).toBe(1);
    await other.client.runOnce();
    const round = sqliteOf(app).prepare('SELECT phase FROM rounds WHERE id = 1').get();
    expect(round).toEqual({ phase: 'published' });
    // The killed attempt was ledgered before it left (no answer ever came), the resend after;
    // the same bytes, and the round charged once.
    const attempts = listLedger(db, { limit: 10, roundId: 1 }).entries.filter(
      (e) => e.kind === 'update',
    );
    // The killed attempt has no answer: either it died first (null) or its request failed first
    // as the kill cut the connection ('none'); both say the bakery never heard back.
    expect(attempts[0]!.answer).toBe('accepted');
    expect([null, 'none']).toContain(attempts[1]!.answer);
    expect(attempts[0]!.payloadSha256).toBe(attempts[1]!.payloadSha256);
    expect(restarted.status().privacy).toMatchObject({ rounds: 1, plainUpdates: 1 });
    expect(
      (
        sqliteOf(app).prepare('SELECT COUNT(*) AS n FROM updates WHERE round_id = 1').get() as {
          n: number;
        }
      ).n,
    ).toBe(2);
  });
});
