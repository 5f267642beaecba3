/**
 * A bakery's app killed (SIGKILL) in the middle of a secure round, twice: while its masked upload
 * is on the wire and while its unmask answer is. The restarted app resumes from the state it
 * persisted before sending: it resends the very same bytes (the coordinator counts them once) and
 * never computes a second upload or a second answer. The round publishes the exact mean.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openDatabase, type Db } from '../../electron/store/database.ts';
import { SyncClient } from '../../electron/sync/client.ts';
import { listLedger } from '../../electron/sync/ledger.ts';
import { loadRound } from '../../electron/sync/secagg-store.ts';
import type { RoundView } from '../../federated/protocol/index.ts';
import {
  chainDays,
  linearTrainer,
  operatorSession,
  startCoordinator,
  tempDir,
} from './coordinator-harness.ts';
import { projectRoot } from '../support/coordinator-process.ts';
import { sqliteOf, storedWeights } from '../support/coordinator-store.ts';
import { startLyingCoordinator, type SecureKind } from '../support/lying-coordinator.ts';
import {
  anyRoundPolicy,
  clippedDelta,
  enrolTestShops,
  integrityOf,
  phaseDeadlines,
} from '../support/shops.ts';

const closers: (() => unknown)[] = [];
afterAll(async () => {
  for (const close of closers.reverse()) await close();
});

/** test/support/shop-child.ts syncing once; resolves once it started. */
async function syncChild(path: string, store: number, days: number): Promise<ChildProcess> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', 'test/support/shop-child.ts', 'sync', path, String(store), String(days)],
    { cwd: projectRoot, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let output = '';
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`child never started:\n${output}`)), 90_000);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (/syncing/.test(output)) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
  });
  return child;
}

function sigkill(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null) return resolve();
    child.once('exit', () => resolve());
    child.kill('SIGKILL');
  });
}

async function until(check: () => boolean, what: string, ms = 60_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('a shop killed mid-round', () => {
  it('SIGKILL while its masked upload and then its unmask answer are on the wire: the restarted app resends the same bytes and the round publishes the exact mean', async () => {
    const dir = tempDir('breadcast-secagg-restart-');
    const started = await startCoordinator(join(dir, 'coordinator.db'), 0, {});
    closers.push(() => started.app.close());
    const operator = await operatorSession(started.app, started.url);
    // The victim's answers to the two messages are kept from it, so its process is mid-request.
    let holdKind: SecureKind | null = null;
    let victimId = '';
    const liar = await startLyingCoordinator(started.port, {
      hold: (s) => s.shopId === victimId && s.kind === holdKind,
    });
    closers.push(() => liar.close());
    const shops = await enrolTestShops(liar.url, dir, operator, 5, {
      prefix: 'restart',
      policy: anyRoundPolicy,
    });
    const [victim, ...others] = shops as [(typeof shops)[0], ...typeof shops];
    victimId = victim.shopId;
    closers.push(() => others.forEach((s) => s.db.close()));
    const settings = { localEpochs: 2, learningRate: 0.05, clipNorm: 0.05 };
    const put = await operator.call('PUT', '/v1/operator/settings', {
      schedule: null,
      round: {
        ...settings,
        mode: 'secure',
        minShops: 2,
        weighting: 'equal',
        noiseMultiplier: 0,
        serverOptimizer: { kind: 'fedavg', learningRate: 1 },
        deadlines: phaseDeadlines(3600),
      },
    });
    expect(put.status, JSON.stringify(put.body)).toBe(200);
    const opened = await operator.call('POST', '/v1/operator/rounds', {});
    const roundId = Number(opened.body.id);
    const round = async () =>
      (await operator.call('GET', `/v1/operator/rounds/${roundId}`)).body as unknown as RoundView;
    const before = storedWeights(sqliteOf(started.app), Number(opened.body.modelVersion));

    let victimDb: Db = victim.db;
    let victimClient = victim.client;
    const restart = () => {
      victimDb = openDatabase(victim.path);
      closers.push(() => victimDb.close());
      expect(integrityOf(victimDb)).toBe('ok');
      victimClient = new SyncClient({
        db: victimDb,
        trainer: linearTrainer(chainDays(2, 'roll', 40)),
        appVersion: '0.1.0',
      });
    };
    /** Everyone syncs once per pass until the round leaves `phase`. */
    const settle = async (phase: string, kill: SecureKind | null) => {
      // Until the round leaves the phase (a sync that failed under load is simply run again).
      for (let pass = 0; (await round()).phase === phase; pass++) {
        if (pass === 12) throw new Error(`round ${roundId} stayed in ${phase}`);
        if (!kill) {
          for (const shop of others) await shop.client.runOnce();
          await victimClient.runOnce();
          continue;
        }
        // The victim's app runs in its own process and dies while its message is on the wire
        // (first, so the round still needs it).
        holdKind = kill;
        victimDb.close();
        const child = await syncChild(victim.path, 2, 40);
        // Generous: the child starts tsx and trains first, on a CI machine at load 15–25.
        await until(() => liar.held.some((h) => h.kind === kill), `the ${kill} message`, 150_000);
        await sigkill(child);
        holdKind = null;
        restart();
        // What it was sending is in its database, unacknowledged, ready to go again.
        expect(loadRound(victimDb, roundId)!.outgoing?.kind).toBe(kill);
        // The roster it verified is kept once, in its own row: what a poll reads stays small.
        const stored = loadRound(victimDb, roundId, { roster: false })!;
        expect(stored.client.roster).toBeUndefined();
        const roster = loadRound(victimDb, roundId)!.client.roster!;
        expect(roster.map((e) => e.shopId).sort()).toEqual(shops.map((s) => s.shopId).sort());
        // The coordinator stored the first copy before its answer was held, so the others'
        // messages alone could end the phase: the restarted app must have resent (and had its
        // answer) before they run. A sync can fail under load (a timeout): it then syncs again.
        const killed = kill;
        kill = null;
        const resent = () =>
          liar.sent.filter((s) => s.shopId === victimId && s.kind === killed).length >= 2 &&
          (loadRound(victimDb, roundId)?.outgoing ?? null) === null;
        for (let attempt = 1; !resent(); attempt++) {
          if (attempt > 10) throw new Error(`the restarted app never resent its ${killed} message`);
          await victimClient.runOnce();
        }
        for (const shop of others) await shop.client.runOnce();
      }
    };
    await settle('advertise', null);
    await settle('share', null);
    await settle('collect', 'masked');
    await settle('confirm', null);
    await settle('unmask', 'unmask');
    for (const shop of shops.slice(1)) await shop.client.runOnce();
    // The sum is rebuilt after the last unmask answer: wait for the round to end, not a while.
    let finished = await round();
    for (let tries = 0; finished.phase !== 'published' && finished.phase !== 'failed'; tries++) {
      if (tries === 600) throw new Error(`round ${roundId} is still ${finished.phase}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
      finished = await round();
    }
    expect(finished.phase, String(finished.failureReason)).toBe('published');

    // Each killed message was sent again after the restart (more than once if a sync failed
    // under load), byte for byte the same every time; the coordinator took the first.
    for (const kind of ['masked', 'unmask'] as const) {
      const bodies = liar.sent.filter((s) => s.shopId === victim.shopId && s.kind === kind);
      expect(bodies.length, kind).toBeGreaterThanOrEqual(2);
      for (const body of bodies) expect(body.body.equals(bodies[0]!.body), kind).toBe(true);
      expect(liar.held.find((h) => h.kind === kind)!.status, kind).toBe(200);
      const lines = listLedger(victimDb, { limit: 50, roundId }).entries.filter(
        (e) => e.kind === kind,
      );
      expect(lines, kind).toHaveLength(bodies.length);
      for (const line of lines) expect(line.payloadSha256).toBe(lines[0]!.payloadSha256);
    }
    // Charged once although two attempts left.
    expect(victimClient.status().privacy).toMatchObject({ rounds: 1 });

    const expected = new Float64Array(before.length);
    for (const shop of shops)
      clippedDelta(shop.trainer, before, settings).forEach((v, j) => (expected[j]! += v / 5));
    const published = storedWeights(sqliteOf(started.app), Number(finished.resultVersion));
    published.forEach((w, j) => expect(Math.abs(w - before[j]! - expected[j]!)).toBeLessThan(1e-6));
  }, 900_000);
});
