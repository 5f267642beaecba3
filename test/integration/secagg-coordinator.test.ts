/**
 * The coordinator's side of an active-adversary secure round over real HTTP, with shops made of
 * the core's own steps (test/support/core-http-shop.ts): honest rounds publish the exact
 * sample-weighted mean, retries get their first receipt in any later phase, and misbehaving or
 * revoked shops are dropped while the round publishes for the honest ones.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { RoundSettings, RoundView } from '../../federated/protocol/index.ts';
import { fromBase64, toBase64 } from '../../federated/secagg/bytes.ts';
import { signEd25519 } from '../../federated/secagg/primitives.ts';
import { recordBytes } from '../../federated/secagg/round-protocol.ts';
import { secureRoutes, type SecureRoundView } from '../../federated/secagg/round-http.ts';
import type { ShareKeysMessage, UnmaskMessage } from '../../federated/secagg/round-types.ts';
import { recoverHeader } from '../../coordinator/secagg/recovery.ts';
import { loadHeader } from '../../coordinator/secagg/state.ts';
import { getRound } from '../../coordinator/store/rounds.ts';
import { sqliteOf, storedWeights } from '../support/coordinator-store.ts';
import { enrolCoreShops, honest, read, viewOf, type CoreShop } from '../support/core-http-shop.ts';
import { phaseDeadlines } from '../support/shops.ts';
import {
  operatorSession,
  parameterCount,
  startCoordinator,
  tempDir,
} from './coordinator-harness.ts';

const apps: FastifyInstance[] = [];
afterAll(async () => {
  for (const app of apps) await app.close();
});

const settings: Partial<RoundSettings> = {
  mode: 'secure',
  noiseMultiplier: 0,
  clipNorm: 1,
  weighting: 'samples',
  maxSampleWeight: 100,
  minShops: 2,
  deadlines: phaseDeadlines(3600),
};

type Consortium = {
  app: FastifyInstance;
  operator: Awaited<ReturnType<typeof operatorSession>>;
  shops: CoreShop[];
};

async function consortium(name: string, count: number): Promise<Consortium> {
  const { app, url } = await startCoordinator(join(tempDir(`breadcast-${name}-`), 'c.db'));
  apps.push(app);
  const operator = await operatorSession(app, url);
  const shops = await enrolCoreShops(url, operator.call, count, name);
  return { app, operator, shops };
}

/** Shop i's update: a fixed direction inside the clip, and its sample count. */
const contributionOf = (i: number) => ({
  update: Float64Array.from({ length: parameterCount }, (_, j) => ((i + 1) * (j - 4)) / 200),
  sampleCount: 10 + 15 * i,
  metrics: { wape: 0.1 + 0.02 * i, pinball: 0.05 },
});

/** Σ w̄·x / Σ w̄ over the given shops (w̄ = samples / cap, capped at 1). */
function weightedMean(indices: number[]): Float64Array {
  const mean = new Float64Array(parameterCount);
  let total = 0;
  for (const i of indices) {
    const c = contributionOf(i);
    const w = Math.min(c.sampleCount, 100) / 100;
    total += w;
    c.update.forEach((v, j) => (mean[j] = mean[j]! + w * v));
  }
  return mean.map((v) => v / total);
}

async function roundPhase(c: Consortium, roundId: number): Promise<string> {
  return (await getRound(c.app.coordinator.store, roundId))!.phase;
}

async function startRound(c: Consortium): Promise<{ roundId: number; round: RoundView }> {
  const opened = await c.operator.call('POST', '/v1/operator/rounds', { settings });
  expect(opened.status, JSON.stringify(opened.body)).toBe(200);
  const current = await c.shops[0]!.call('GET', '/v1/rounds/current');
  return { roundId: Number(opened.body.id), round: current.json.round as RoundView };
}

type Step = (shop: CoreShop, view: SecureRoundView) => Promise<{ path: string; body: unknown }>;

/** Every listed shop reads its view, does its step and posts it; returns what each posted. */
async function everyone(shops: CoreShop[], roundId: number, step: Step) {
  const sent = new Map<string, { path: string; body: unknown; receivedAt: string }>();
  for (const shop of shops) {
    const message = await step(shop, await viewOf(shop, roundId));
    const answer = await shop.call('POST', message.path, message.body);
    expect(answer.status, `${shop.shopId}: ${JSON.stringify(answer.json)}`).toBe(200);
    expect(answer.json.duplicate).toBe(false);
    sent.set(shop.shopId, { ...message, receivedAt: answer.json.receivedAt });
  }
  return sent;
}

function expectClose(actual: Float32Array, expected: Float64Array, tolerance = 1e-5) {
  expect(actual.length).toBe(expected.length);
  actual.forEach((v, j) => expect(Math.abs(v - expected[j]!)).toBeLessThan(tolerance));
}

describe('secure rounds on the coordinator, over HTTP', () => {
  it('publishes the exact sample-weighted mean, records its configuration and figures, and answers every retry with its first receipt', async () => {
    const c = await consortium('honest', 5);
    const { roundId, round } = await startRound(c);
    const all = c.shops;
    const posted: Map<string, { path: string; body: unknown; receivedAt: string }>[] = [];
    posted.push(await everyone(all, roundId, (s, v) => honest.advertise(s, roundId, v)));
    expect(await roundPhase(c, roundId)).toBe('share');
    // A poll stays small: the roster is a document of its own, named by its hash, read once.
    const polled = await viewOf(all[0]!, roundId);
    expect(polled.owes).toBe('shares');
    expect(JSON.stringify(polled)).not.toContain(all[1]!.shopId);
    const roster = await all[0]!.call('GET', secureRoutes.roster(roundId));
    expect(roster.json.rosterHash).toBe(polled.rosterHash);
    expect(roster.json.roster.map((e: { shopId: string }) => e.shopId).sort()).toEqual(
      all.map((s) => s.shopId).sort(),
    );
    expect(roster.etag).toBe(`"${polled.rosterHash}"`);
    const unchanged = await all[1]!.call('GET', secureRoutes.roster(roundId), undefined, {
      'if-none-match': roster.etag!,
    });
    expect(unchanged.status).toBe(304);
    const early = await all[0]!.call('GET', secureRoutes.inbox(roundId));
    expect([early.status, early.json.error]).toEqual([409, 'wrong-phase']);
    posted.push(await everyone(all, roundId, (s) => honest.share(s, roundId)));
    expect(await roundPhase(c, roundId)).toBe('collect');
    posted.push(
      await everyone(all, roundId, (s) =>
        honest.mask(s, roundId, round, parameterCount, contributionOf(all.indexOf(s))),
      ),
    );
    expect(await roundPhase(c, roundId)).toBe('confirm');
    const shown = await viewOf(all[0]!, roundId);
    expect(shown.owes).toBe('confirm');
    expect((await read(all[0]!, secureRoutes.survivors(roundId))).survivors).toEqual(
      all.map((s) => s.shopId).sort(),
    );
    expect(shown.received).toMatchObject({ advertise: true, shares: true, masked: true });
    posted.push(await everyone(all, roundId, (s) => honest.confirm(s, roundId)));
    expect(await roundPhase(c, roundId)).toBe('unmask');
    posted.push(await everyone(all, roundId, (s) => honest.unmask(s, roundId)));
    expect(await roundPhase(c, roundId)).toBe('published');

    const stored = (await getRound(c.app.coordinator.store, roundId))!;
    const weights = storedWeights(sqliteOf(c.app), stored.result_version!);
    expectClose(weights, weightedMean([0, 1, 2, 3, 4]));

    const header = (await loadHeader(c.app.coordinator.store, stored))!;
    expect(header.config).toEqual({
      rosterSize: 5,
      colluders: 1,
      minSurvivors: 4,
      graph: 'complete',
      neighbours: 4,
      threshold: 4,
    });
    expect(header.outcome!.sumNorm).toBeLessThanOrEqual(header.outcome!.sumBound);
    expect(header.outcome!.totalWeight).toBeCloseTo((10 + 25 + 40 + 55 + 70) / 100, 6);
    // The consortium's figures of the model the round trained from, from the masked coordinates.
    const figures = await c.app.coordinator.store.get<{ reports: number; wape_sum: number }>(
      'SELECT reports, wape_sum FROM model_metrics WHERE version = ?',
      [stored.model_version],
    );
    expect(figures!.reports).toBe(5);
    expect(figures!.wape_sum / 5).toBeCloseTo((0.1 + 0.12 + 0.14 + 0.16 + 0.18) / 5, 5);

    // Every message again, long after its phase: 200, duplicate, the first receipt.
    for (const sent of posted)
      for (const shop of all) {
        const first = sent.get(shop.shopId)!;
        const again = await shop.call('POST', first.path, first.body);
        expect(again.status).toBe(200);
        expect(again.json).toMatchObject({ duplicate: true, receivedAt: first.receivedAt });
      }
    // A different message of a kind already sent is refused.
    const other = structuredClone(posted[3]!.get(all[0]!.shopId)!.body) as { signature: string };
    other.signature = toBase64(new Uint8Array(64).fill(7));
    const conflict = await all[0]!.call('POST', posted[3]!.get(all[0]!.shopId)!.path, other);
    expect(conflict.status).toBe(409);
    expect(conflict.json.error).toBe('already-sent');
  });

  it('drops a shop that sends a garbage share and a shop revoked after its upload, skips a wrong share at unmasking, and publishes the honest mean', async () => {
    // 12 shops: T = t = 9, so after two dropped shops one wrong share still leaves 9 valid ones.
    const c = await consortium('hostile', 12);
    const { roundId, round } = await startRound(c);
    const [cheat, reporterVictim, , , revoked] = c.shops;
    await everyone(c.shops, roundId, (s, v) => honest.advertise(s, roundId, v));
    // The cheat deals one neighbour a share that does not decrypt, signed as a real one would be.
    await everyone(c.shops, roundId, async (s) => {
      const message = await honest.share(s, roundId);
      if (s !== cheat) return message;
      const shares = structuredClone(message.body) as ShareKeysMessage;
      const record = shares.shares.find((r) => r.to === reporterVictim!.shopId)!;
      record.ciphertext = toBase64(new Uint8Array(fromBase64(record.ciphertext).length).fill(1));
      record.signature = signEd25519(
        cheat!.identity.secretKey,
        recordBytes(s.state!.paramsDigest, record),
      );
      return { ...message, body: shares };
    });
    expect(await roundPhase(c, roundId)).toBe('collect');
    const uploaders = c.shops.filter((s) => s !== cheat);
    const upload = (shops: CoreShop[]) =>
      everyone(shops, roundId, (s) =>
        honest.mask(s, roundId, round, parameterCount, contributionOf(c.shops.indexOf(s))),
      );
    await upload(uploaders.slice(0, -1));
    // The report convicted the cheat: it is told so.
    expect((await viewOf(cheat!, roundId)).dropped).toMatch(/undecryptable|bad-plaintext/);
    // Revoked after its upload, before the upload phase ends: a dropout.
    const revoke = await c.operator.call('POST', `/v1/operator/shops/${revoked!.shopId}/revoke`);
    expect(revoke.status).toBe(200);
    await upload(uploaders.slice(-1));
    const closed = (await getRound(c.app.coordinator.store, roundId))!;
    expect(closed.phase, closed.failure_reason ?? '').toBe('confirm');
    const survivors = uploaders.filter((s) => s !== revoked);
    expect((await read(survivors[0]!, secureRoutes.survivors(roundId))).survivors).toEqual(
      survivors.map((s) => s.shopId).sort(),
    );
    await everyone(survivors, roundId, (s) => honest.confirm(s, roundId));
    expect(await roundPhase(c, roundId)).toBe('unmask');
    // One survivor reveals a wrong self-mask share of another: its commitment does not open. The
    // liar is the survivor with the lowest id: the coordinator tries holders in id order and stops
    // at t valid shares, so the wrong one is always among those tried.
    const liar = [...survivors].sort((a, b) => (a.shopId < b.shopId ? -1 : 1))[0];
    await everyone(survivors, roundId, async (s) => {
      const message = await honest.unmask(s, roundId);
      if (s !== liar) return message;
      const answer = structuredClone(message.body) as UnmaskMessage;
      const [owner] = Object.keys(answer.selfMaskShares).filter((id) => id !== s.shopId);
      const share = fromBase64(answer.selfMaskShares[owner!]!.share);
      share[share.length - 1] = share[share.length - 1]! ^ 0xff;
      answer.selfMaskShares[owner!]!.share = toBase64(share);
      return { ...message, body: answer };
    });
    const stored = (await getRound(c.app.coordinator.store, roundId))!;
    expect(stored.phase, stored.failure_reason ?? '').toBe('published');
    const header = (await loadHeader(c.app.coordinator.store, stored))!;
    expect(Object.keys(header.convicted)).toEqual([cheat!.shopId]);
    expect(header.excluded).toEqual({ [revoked!.shopId]: 'revoked' });
    expect(header.recovery!.wrongShares).toBeGreaterThanOrEqual(1);
    const weights = storedWeights(sqliteOf(c.app), stored.result_version!);
    expectClose(weights, weightedMean(survivors.map((s) => c.shops.indexOf(s))));
  });
  it('recovers the same sum reading its owners one at a time, three at a time or all at once', async () => {
    // A dropped shop (mask keys rebuilt) and a wrong share (skipped) in every batch size.
    const c = await consortium('batches', 12);
    const { roundId, round } = await startRound(c);
    const revoked = c.shops[3]!;
    await everyone(c.shops, roundId, (s, v) => honest.advertise(s, roundId, v));
    await everyone(c.shops, roundId, (s) => honest.share(s, roundId));
    const upload = (shops: CoreShop[]) =>
      everyone(shops, roundId, (s) =>
        honest.mask(s, roundId, round, parameterCount, contributionOf(c.shops.indexOf(s))),
      );
    await upload(c.shops.slice(0, -1));
    expect(
      (await c.operator.call('POST', `/v1/operator/shops/${revoked.shopId}/revoke`)).status,
    ).toBe(200);
    await upload(c.shops.slice(-1));
    const survivors = c.shops.filter((s) => s !== revoked);
    await everyone(survivors, roundId, (s) => honest.confirm(s, roundId));
    const [liar] = [...survivors].sort((a, b) => (a.shopId < b.shopId ? -1 : 1));
    const last = survivors.find((s) => s !== liar)!;
    await everyone(
      survivors.filter((s) => s !== last),
      roundId,
      async (s) => {
        const message = await honest.unmask(s, roundId);
        if (s !== liar) return message;
        const answer = structuredClone(message.body) as UnmaskMessage;
        const owner = Object.keys(answer.selfMaskShares).find((id) => id !== s.shopId)!;
        answer.selfMaskShares[owner]!.share = toBase64(new Uint8Array(32).fill(9));
        return { ...message, body: answer };
      },
    );
    // Ten of eleven answers are in: enough to recover, so the test can recover it its own ways.
    const { store } = c.app.coordinator;
    const waiting = (await loadHeader(store, (await getRound(store, roundId))!))!;
    expect(waiting.phase).toBe('unmask');
    const byBatch = await Promise.all(
      [1, 3].map((size) => recoverHeader(store, roundId, waiting, size)),
    );
    await everyone([last], roundId, (s) => honest.unmask(s, roundId));
    const stored = (await getRound(store, roundId))!;
    expect(stored.phase, stored.failure_reason ?? '').toBe('published');
    const published = (await loadHeader(store, stored))!;
    expect(published.recovery).toEqual({ answers: 11, wrongShares: 1 });
    for (const recovered of byBatch) {
      expect(recovered.phase, recovered.failure?.message).toBe('done');
      expect(recovered.recovery).toEqual({ answers: 10, wrongShares: 1 });
      expect(recovered.sum).toBe(published.sum);
    }
    const weights = storedWeights(sqliteOf(c.app), stored.result_version!);
    expectClose(weights, weightedMean(survivors.map((s) => c.shops.indexOf(s))));
  });
});
