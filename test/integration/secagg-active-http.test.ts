/**
 * The active-adversary secure round in the product, over real HTTP: the real coordinator, shops
 * with their own SQLite files and identities driving the app's client. An honest round publishes
 * the survivors' sample-weighted mean; a coordinator that lies (a proxy rewriting what each shop
 * is shown and collecting everything shops send) gets refusals, and the test then tries to
 * rebuild one bakery's vector from all it collected.
 */
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import type { Db } from '../../electron/store/database.ts';
import { listLedger } from '../../electron/sync/ledger.ts';
import { loadRound } from '../../electron/sync/secagg-store.ts';
import type { RoundView } from '../../federated/protocol/index.ts';
import { generateX25519 } from '../../federated/secagg/primitives.ts';
import { roundConfig } from '../../federated/secagg/round-config.ts';
import { paramsDigest } from '../../federated/secagg/round-protocol.ts';
import type { SecureRoundView, SignedRoster } from '../../federated/secagg/round-http.ts';
import type {
  ConfirmRequest,
  ClientState,
  Confirmation,
  RosterEntry,
  SecAggParams,
  ShareKeysMessage,
  UnmaskMessage,
} from '../../federated/secagg/round-types.ts';
import { parseMaskedUpload } from '../../federated/secagg/round-wire.ts';
import type { RoundRun } from '../../simulation/secagg-round.ts';
import { anyRoundPolicy, phaseDeadlines } from '../support/shops.ts';
import { startLyingCoordinator, type Lies, type Sent } from '../support/lying-coordinator.ts';
import { sqliteOf, storedWeights } from '../support/coordinator-store.ts';
import { attackerRebuilds } from '../unit/privacy/active-harness.ts';
import { operatorSession, startCoordinator, tempDir } from './coordinator-harness.ts';
import { enrolShops, httpVia, pollOnce, runSecureRound, type Shop } from './secagg-harness.ts';

const D = 3000;
const C = 0.1;
const baseSettings = {
  mode: 'secure' as const,
  localEpochs: 1,
  learningRate: 0.05,
  clipNorm: C,
  minShops: 2,
  serverOptimizer: { kind: 'fedavg' as const, learningRate: 1 },
  deadlines: phaseDeadlines(3600),
};

/** Shop i's update: a fixed vector whose norm (≈ 0.39) is clipped to C. */
const updateOf = (i: number) => () =>
  Float32Array.from({ length: D }, (_, j) => 0.01 * Math.sin(i * 13 + j * 0.7));

function clipped(delta: Float32Array, c: number): Float64Array {
  const norm = Math.sqrt(delta.reduce((s, v) => s + v * v, 0));
  const scale = norm > c ? c / norm : 1;
  return Float64Array.from(delta, (v) => v * scale);
}

function modelVersions(app: FastifyInstance): number[] {
  return (
    sqliteOf(app).prepare('SELECT version FROM models ORDER BY version').all() as {
      version: number;
    }[]
  ).map((r) => r.version);
}

const opened: Db[] = [];
const apps: FastifyInstance[] = [];
afterAll(async () => {
  for (const app of apps) await app.close();
  for (const db of opened) db.close();
});

async function consortium(name: string, count: number) {
  const dir = tempDir(`breadcast-${name}-`);
  const started = await startCoordinator(join(dir, 'coordinator.db'), 0, {
    initialWeights: () => new Float32Array(D),
  });
  apps.push(started.app);
  const operator = await operatorSession(started.app, started.url);
  const shops = await enrolShops(
    started.url,
    dir,
    operator,
    Array.from({ length: count }, (_, i) => updateOf(i)),
    undefined,
    name,
    anyRoundPolicy,
  );
  shops.forEach((s) => opened.push(s.db));
  const put = async (round: Record<string, unknown>) => {
    const answer = await operator.call('PUT', '/v1/operator/settings', {
      schedule: null,
      round: { ...baseSettings, ...round },
    });
    expect(answer.status, JSON.stringify(answer.body)).toBe(200);
  };
  return { ...started, operator, shops, put };
}

describe('the active-adversary secure round over real HTTP', () => {
  it('ten shops, sample-weighted, 30 % gone after their upload: the published step is the weighted mean of the clipped updates', async () => {
    const { app, operator, shops, put } = await consortium('weighted', 10);
    const samples = [5, 10, 20, 30, 40, 60, 80, 15, 25, 35];
    const cap = 40;
    shops.forEach((s, i) => {
      s.samples = samples[i]!;
      s.metrics = { wape: 0.1 + 0.02 * i, pinball: 0.05 };
    });
    await put({ weighting: 'samples', maxSampleWeight: cap, noiseMultiplier: 0 });
    const dropped = new Set(shops.slice(7).map((s) => s.shopId));
    const before = storedWeights(sqliteOf(app), Math.max(...modelVersions(app)));
    const { round, steps } = await runSecureRound(() => app, operator, shops, dropped, 'confirm');
    expect(round.phase, String(round.failureReason)).toBe('published');
    // Every shop uploaded and so counts, with its capped weight; the 3 silent ones too.
    const weights = samples.map((s) => Math.min(s, cap) / cap);
    const total = weights.reduce((a, b) => a + b, 0);
    const expected = new Float64Array(D);
    shops.forEach((shop, i) =>
      clipped(shop.update(before), C).forEach(
        (v, j) => (expected[j]! += (weights[i]! * v) / total),
      ),
    );
    const published = storedWeights(sqliteOf(app), Number(round.resultVersion));
    let worst = 0;
    published.forEach((w, j) => (worst = Math.max(worst, Math.abs(w - before[j]! - expected[j]!))));
    expect(worst).toBeLessThan(1e-6);
    // Equal weights would be a different model (by 100 times the tolerance above): the
    // weighting really happened.
    const equal = new Float64Array(D);
    shops.forEach((shop) =>
      clipped(shop.update(before), C).forEach((v, j) => (equal[j]! += v / 10)),
    );
    expect(Math.max(...Array.from(equal, (v, j) => Math.abs(v - expected[j]!)))).toBeGreaterThan(
      1e-4,
    );
    expect(steps.filter((s) => s.action === 'confirmed')).toHaveLength(7);

    // The ledger of a shop lists one line per message of the round, the masked upload with what
    // the shop verified itself (n, T, c, graph) and its capped weight.
    const ledger = listLedger(shops[4]!.db, { limit: 100, roundId: Number(round.id) }).entries;
    const kinds = ledger.map((e) => e.kind);
    for (const kind of ['advertise', 'shares', 'masked', 'confirm', 'unmask'])
      expect(
        kinds.filter((k) => k === kind),
        kind,
      ).toHaveLength(1);
    const masked = ledger.find((e) => e.kind === 'masked')!;
    expect(masked.details).toMatchObject({
      mode: 'secure',
      rosterSize: 10,
      threshold: 7,
      colluders: 3,
      graph: 'complete',
      weight: 1,
      metricsReported: true,
    });
    expect(masked.headers['content-type']).toBe('application/octet-stream');
  });

  it('with noise: the published step is the survivors’ mean plus noise of the calibrated size, sized for c colluders', async () => {
    const { app, operator, shops, put } = await consortium('noised', 10);
    const z = 1.5;
    await put({ weighting: 'equal', noiseMultiplier: z });
    // Three shops never upload: the round completes with exactly T = 7 survivors.
    const dropped = new Set(shops.slice(7).map((s) => s.shopId));
    const before = storedWeights(sqliteOf(app), Math.max(...modelVersions(app)));
    const { round } = await runSecureRound(() => app, operator, shops, dropped, 'collect');
    expect(round.phase, String(round.failureReason)).toBe('published');
    const survivors = shops.slice(0, 7);
    const expected = new Float64Array(D);
    for (const shop of survivors)
      clipped(shop.update(before), C).forEach((v, j) => (expected[j]! += v / 7));
    const published = storedWeights(sqliteOf(app), Number(round.resultVersion));
    const residual = Array.from(published, (w, j) => w - before[j]! - expected[j]!);
    // n = 10, T = 7, c = 3: each share has variance (zΔ)²/(T − c), seven of them sum to
    // 7/4 (zΔ)²; Δ is C·√(1 + 3 · 0.2²) with the three masked evaluation coordinates.
    const sensitivity = C * Math.sqrt(1 + 3 * 0.2 ** 2);
    const sigma = (z * sensitivity * Math.sqrt(7 / 4)) / 7;
    const mean = residual.reduce((s, e) => s + e, 0) / D;
    const std = Math.sqrt(residual.reduce((s, e) => s + (e - mean) ** 2, 0) / (D - 1));
    expect(Math.abs(std / sigma - 1)).toBeLessThan(0.1);
    expect(Math.abs(mean)).toBeLessThan((6 * sigma) / Math.sqrt(D));
  });
});

/** What the attacker kept, in the shape the reconstruction works on. */
function transcriptOf(sent: Sent[], roster: RosterEntry[], params: SecAggParams): RoundRun {
  const json = <T>(s: Sent) => JSON.parse(s.body.toString('utf8')) as T;
  const config = roundConfig(params, roster.length);
  return {
    round: {
      version: 2,
      params,
      paramsDigest: paramsDigest(params),
      identities: {},
      phase: 'unmask',
      roster,
      config,
      convicted: {},
      excluded: {},
    },
    sum: null,
    refusals: new Map(),
    rejected: new Map(),
    clients: new Map(),
    transcript: {
      adverts: [],
      shareMessages: new Map(
        sent.filter((s) => s.kind === 'shares').map((s) => [s.shopId, json<ShareKeysMessage>(s)]),
      ),
      uploads: new Map(
        sent
          .filter((s) => s.kind === 'masked')
          .map((s) => [s.shopId, parseMaskedUpload(new Uint8Array(s.body), params.vectorLength)]),
      ),
      confirmations: sent.filter((s) => s.kind === 'confirm').map((s) => json<Confirmation>(s)),
      answers: sent.filter((s) => s.kind === 'unmask').map((s) => json<UnmaskMessage>(s)),
    },
    wrongShares: 0,
    traffic: new Map(),
  };
}

type Stage = 'advertise' | 'share' | 'collect' | 'confirm' | 'unmask';

/**
 * A round run through the lying coordinator: the real coordinator up to the uploads, then the
 * liar alone (it keeps the confirmations and unmask answers and shows each shop what it likes).
 */
async function liedTo(
  name: string,
  lie: (ctx: { shops: Shop[]; victim: string; stage: () => Stage }) => Lies,
  colluders = 0,
) {
  const { app, operator, shops, put, port } = await consortium(name, 10);
  await put({ weighting: 'equal', noiseMultiplier: 0 });
  const victim = shops[0]!.shopId;
  let roster: RosterEntry[] = [];
  let params: SecAggParams | null = null;
  let stage: Stage = 'advertise';
  const lies = lie({ shops, victim, stage: () => stage });
  const liar = await startLyingCoordinator(port, {
    swallow: (s) => (lies.swallow?.(s) ?? false) || s.kind === 'confirm' || s.kind === 'unmask',
    view: (shopId, view) => {
      if (view.params) params = view.params;
      return lies.view?.(shopId, view) ?? null;
    },
    document: (shopId, name, real) => {
      if (name === 'roster' && real) roster = (real as SignedRoster).roster;
      return lies.document?.(shopId, name, real) ?? null;
    },
  });
  for (const shop of shops) shop.http = httpVia(shop, liar.url);
  const openedRound = await operator.call('POST', '/v1/operator/rounds', {});
  expect(openedRound.status, JSON.stringify(openedRound.body)).toBe(200);
  const roundId = Number(openedRound.body.id);
  const real = async () =>
    (await operator.call('GET', `/v1/operator/rounds/${roundId}`)).body as unknown as RoundView;
  const outcomes = new Map<string, string>();
  for (const phase of ['advertise', 'share', 'collect', 'confirm', 'unmask'] as const) {
    stage = phase;
    // Past the uploads the liar speaks for the coordinator, whatever the real one does.
    const shown = { ...(await real()), phase };
    for (const shop of shops) {
      const step = await pollOnce(() => app, shop, shown);
      if (step.action === 'refused') outcomes.set(shop.shopId, step.message);
    }
    if ((await real()).phase === phase && phase !== 'confirm' && phase !== 'unmask')
      await operator.call('POST', `/v1/operator/rounds/${roundId}/close-phase`);
  }
  await liar.close();
  const states = new Map<string, ClientState>(
    shops.map((s) => [s.shopId, loadRound(s.db, roundId)!.client]),
  );
  const colluding = shops.slice(1, 1 + colluders).map((s) => states.get(s.shopId)!);
  const run = transcriptOf(liar.sent, roster, params!);
  return {
    shops,
    victim,
    states,
    outcomes,
    run,
    rebuilt: attackerRebuilds(run, victim, colluding),
  };
}

/** Collects the confirmations shops send, by the survivor set they signed. */
function signatureBook() {
  const bySet = new Map<string, Confirmation[]>();
  return {
    add(survivors: string[], c: Confirmation) {
      const key = [...survivors].sort().join();
      const list = bySet.get(key) ?? [];
      if (!list.some((x) => x.shopId === c.shopId)) bySet.set(key, [...list, c]);
    },
    over: (survivors: string[]) => bySet.get([...survivors].sort().join()) ?? [],
    get sets() {
      return bySet.size;
    },
  };
}

describe('a lying coordinator over real HTTP', () => {
  it('split view of the survivors, then unmask requests with every signature gathered per set: every shop refuses, the victim stays hidden', async () => {
    const book = signatureBook();
    let everyone: string[] = [];
    const { shops, states, outcomes, run, rebuilt } = await liedTo(
      'split',
      ({ shops, victim, stage }) => {
        const groupB = new Set(shops.slice(6).map((s) => s.shopId));
        const setOf = (id: string) =>
          (groupB.has(id) ? everyone.filter((s) => s !== victim) : everyone).sort();
        return {
          view: (_id, view: SecureRoundView) =>
            stage() === 'unmask' ? { ...view, phase: 'unmask', owes: 'unmask' } : null,
          document: (id, name, real) => {
            if (name === 'survivors' && real) {
              everyone = (real as ConfirmRequest).survivors;
              return { survivors: setOf(id) };
            }
            if (name !== 'unmask-request') return null;
            const survivors = setOf(id);
            return { survivors, confirmations: book.over(survivors) };
          },
          swallow: (s) => {
            if (s.kind === 'confirm')
              book.add(setOf(s.shopId), JSON.parse(s.body.toString('utf8')) as Confirmation);
            return false;
          },
        };
      },
    );
    // Every shop uploaded and signed the set it was shown; none answered an unmask request.
    expect(run.transcript.uploads.size).toBe(10);
    expect(book.sets).toBe(2);
    for (const shop of shops) {
      expect(states.get(shop.shopId)!.phase, shop.name).toBe('confirmed');
      expect(outcomes.get(shop.shopId), shop.name).toMatch(/valid signatures/);
    }
    expect(run.transcript.answers).toHaveLength(0);
    expect(rebuilt).toBeNull();
  });
  it('claims a lower threshold: an unmask request with 2 of the signatures is refused by every shop', async () => {
    const book = signatureBook();
    let everyone: string[] = [];
    const { shops, states, outcomes, run, rebuilt } = await liedTo('few', ({ stage }) => ({
      view: (_id, view: SecureRoundView) =>
        stage() === 'unmask' ? { ...view, phase: 'unmask', owes: 'unmask' } : null,
      document: (_id, name, real) => {
        if (name === 'survivors' && real) everyone = (real as ConfirmRequest).survivors;
        if (name !== 'unmask-request') return null;
        return { survivors: everyone, confirmations: book.over(everyone).slice(0, 2) };
      },
      swallow: (s) => {
        if (s.kind === 'confirm')
          book.add(everyone, JSON.parse(s.body.toString('utf8')) as Confirmation);
        return false;
      },
    }));
    expect(book.over(everyone)).toHaveLength(10);
    for (const shop of shops) {
      expect(states.get(shop.shopId)!.phase, shop.name).toBe('confirmed');
      expect(outcomes.get(shop.shopId), shop.name).toMatch(/2 valid signatures/);
    }
    expect(run.transcript.answers).toHaveLength(0);
    expect(rebuilt).toBeNull();
  });

  it('alters one roster line: every shop refuses before it shares anything', async () => {
    const { shops, states, outcomes, run, rebuilt } = await liedTo('forged', ({ shops }) => ({
      document: (_id, name, real) =>
        name === 'roster' && real
          ? {
              ...(real as SignedRoster),
              roster: (real as SignedRoster).roster.map((e) =>
                e.shopId === shops[5]!.shopId ? { ...e, maskKey: generateX25519().publicKey } : e,
              ),
            }
          : null,
    }));
    for (const shop of shops) {
      expect(states.get(shop.shopId)!.phase, shop.name).toBe('advertised');
      expect(outcomes.get(shop.shopId), shop.name).toMatch(/not signed by its identity/);
    }
    expect(run.transcript.shareMessages.size).toBe(0);
    expect(run.transcript.uploads.size).toBe(0);
    expect(rebuilt).toBeNull();
  });
});
