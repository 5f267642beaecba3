import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { stepSecureRound, type SecureStep } from '../../electron/sync/secagg-client.ts';
import type { SignatureCheck } from '../../federated/secagg/shop-checks.ts';
import { createOperator } from '../../coordinator/operator/accounts.ts';
import { openCoordinatorStore } from '../../coordinator/store/database.ts';
import {
  currentRoundResponse,
  modelResponse,
  type RoundView,
} from '../../federated/protocol/index.ts';
import { cpuSecondsOf, startService, stopService } from '../bench/service-process.ts';
import { OperatorClient } from '../operator-client.ts';
import { sleep } from '../retry.ts';
import { sharedSignatureChecks, type SharedChecks } from './shared-checks.ts';
import { closeShops, openShops, type LoadShop, type Samples } from './secure-shops.ts';
import {
  enrolInDatabase,
  formatStats,
  inBatches,
  pollUntil,
  retrying,
  slots,
  stats,
  type LatencyStats,
} from './load-tools.ts';

export type SecureLoadOptions = {
  shops: number;
  /**
   * How often a shop polls while the round runs (default: what keeps the shops' polls near 25
   * per second, at least every 2 s). The first polls are spread over one interval.
   */
  pollMs?: number;
  /** Each phase's deadline; a phase ends earlier once every shop of the roster answered. */
  phaseSeconds?: number;
  /** Colluders the round is sized for (default: the coordinator's own default). */
  colluders?: number;
  /**
   * Shops stepping at once (default 8). All shops share this process's one thread: unbounded,
   * a shop's signed request or its answer waited behind hundreds of others' roster checks and
   * share encryptions for minutes (timeouts, clock-skew refusals) — a wait no shop on its own
   * machine has. The wait for a slot is reported apart.
   */
  concurrency?: number;
  /**
   * Harness option, on by default here and nowhere else: simulated shops reuse one check of
   * byte-identical signatures (the roster's n, the unmask request's T; shared-checks.ts). Off:
   * every shop checks all of them, n² checks in this one process.
   */
  sharedChecks?: boolean;
  onProgress?: (line: string) => void;
};

const phases = ['advertise', 'share', 'collect', 'confirm', 'unmask'] as const;

export type SecureLoadResult = {
  mode: 'secure';
  shops: number;
  parameters: number;
  round: {
    id: number;
    phase: string;
    resultVersion: number | null;
    failureReason: string | null;
    /** Seconds from opening the round to each phase's end, as the coordinator logged them. */
    phaseEndsSeconds: Record<string, number>;
  };
  /** Latency of every request the shops made, by what it was for (the ledger's kinds). */
  byRequest: Record<string, LatencyStats>;
  requests: number;
  /** Time a shop's poll waited for one of the harness's slots (not part of any request). */
  slotWait: LatencyStats;
  /** Shops whose poll still failed after its retries; and failed polls that were tried again. */
  errors: number;
  retries: number;
  /** What each shop's last step was: finished, refused, not-taking-part, or its error. */
  outcomes: Record<string, number>;
  wallMs: number;
  /**
   * CPU seconds over the round: the coordinator (its own process, SQLite) and all the shops
   * together (this process: their SecAgg+ work, signing, their SQLite files and ledgers).
   */
  cpuSeconds: { coordinator: number; shops: number };
  /**
   * How the shops checked the roster's and the unmask request's signatures: shared (the harness
   * option) or each shop all of them; real checks with their mean cost, reused ones; and what one
   * shop's own check of this round's roster costs at that rate (a real shop's, on its machine).
   */
  signatureChecks: {
    shared: boolean;
    checked: number;
    reused: number;
    msPerCheck: number | null;
    oneShopRosterSeconds: number | null;
  };
  shopCpuMsPerShop: number;
  loadAverage: number;
};

/**
 * A secure (SecAgg+) round of `shops` bakeries against the shipped coordinator service in a child
 * process (SQLite, the production model). Each shop has its own identity, SQLite file and ledger
 * and runs the app's secure-round client (electron/sync/secagg-client.ts) over HTTP: it polls
 * the current round and does its part of each phase — key advertisement, encrypted shares, the
 * masked upload, the survivors' consistency signature, unmasking — retrying a failed request as
 * the app would. Enrolment goes straight to the coordinator's database (setup, not a step).
 */
export async function runSecureLoad(options: SecureLoadOptions): Promise<SecureLoadResult> {
  const n = options.shops;
  const pollMs = options.pollMs ?? Math.max(2000, Math.round((n / 25) * 1000));
  const say = options.onProgress ?? (() => {});
  const loadAverage = loadavg()[0]!;
  const dir = mkdtempSync(join(tmpdir(), 'breadcast-secure-load-'));
  const database = join(dir, 'coordinator.db');
  const password = 'secure load operator password';
  const shops: LoadShop[] = [];
  const service = await (async () => {
    const store = await openCoordinatorStore(database);
    try {
      await createOperator(store, 'load', password);
      const now = new Date();
      const enrolled = await inBatches(n, 8, (i) =>
        enrolInDatabase(store, `Secure bakery ${i}`, '0.1.0', now),
      );
      await store.close();
      const started = await startService(database);
      const samples: Samples = new Map();
      shops.push(...openShops(dir, started.url, enrolled, samples, now));
      return { ...started, samples };
    } catch (error) {
      await store.close().catch(() => undefined);
      throw error;
    }
  })().catch((error: unknown) => {
    rmSync(dir, { recursive: true, force: true });
    throw error;
  });

  try {
    say(`${n} shops enrolled; coordinator at ${service.url}; polling every ${pollMs} ms`);
    const operator = await OperatorClient.login(service.url, 'load', password);
    await operator.call('PUT', '/v1/operator/settings', {
      schedule: null,
      round: {
        mode: 'secure',
        minShops: 2,
        clipNorm: 1,
        weighting: 'equal',
        noiseMultiplier: 0,
        ...(options.colluders === undefined ? {} : { colluders: options.colluders }),
        deadlines: {
          openSeconds: 0,
          ...Object.fromEntries(
            ['advertise', 'share', 'collect', 'confirm', 'unmask'].map((p) => [
              `${p}Seconds`,
              options.phaseSeconds ?? 1800,
            ]),
          ),
        },
      },
    });
    const opened = await operator.call<{ id: number }>('POST', '/v1/operator/rounds', {});
    const cpuBefore = process.cpuUsage();
    const serviceBefore = cpuSecondsOf(service.child.pid!);
    const started = performance.now();
    let errors = 0;
    let retries = 0;
    const outcomes: Record<string, number> = {};
    let finished = 0;
    const giveUpAt = Date.now() + (options.phaseSeconds ?? 1800) * 1000 * (phases.length + 1);
    const gate = slots(options.concurrency ?? 8);
    const checks = options.sharedChecks === false ? null : sharedSignatureChecks();
    const slotWaits: number[] = [];
    const gated = async (shop: LoadShop) => {
      const asked = performance.now();
      await gate.acquire();
      slotWaits.push(performance.now() - asked);
      try {
        return await pollOnce(shop, opened.id, checks?.verify);
      } finally {
        gate.release();
      }
    };
    await Promise.all(
      shops.map(async (shop, i) => {
        await sleep((i * pollMs) / n);
        let last = 'gave up';
        try {
          for (;;) {
            const step = await retrying(
              () => gated(shop),
              () => retries++,
            ).catch((error: unknown) => {
              errors++;
              throw error;
            });
            if (step === null || ['finished', 'refused', 'not-taking-part'].includes(step.action)) {
              last = step?.action ?? 'finished';
              break;
            }
            if (Date.now() > giveUpAt) break;
            await sleep(pollMs);
          }
        } catch (error) {
          last = `error: ${(error as Error).message.slice(0, 120)}`;
        }
        outcomes[last] = (outcomes[last] ?? 0) + 1;
        if (++finished % Math.max(1, Math.round(n / 10)) === 0) say(`${finished}/${n} shops done`);
      }),
    );
    const wallMs = performance.now() - started;
    const shopsCpu = process.cpuUsage(cpuBefore);
    const coordinatorCpu = cpuSecondsOf(service.child.pid!) - serviceBefore;
    const round = await pollUntil(
      () =>
        operator.call<{
          phase: string;
          resultVersion: number | null;
          failureReason: string | null;
          phaseLog?: { phase: string; at: string }[];
          openedAt: string;
        }>('GET', `/v1/operator/rounds/${opened.id}`),
      (r) => r.phase === 'published' || r.phase === 'failed',
      { everyMs: 1000, untilMs: Date.now() + 60_000 },
    );
    const shopSeconds = (shopsCpu.user + shopsCpu.system) / 1e6;
    const byRequest = Object.fromEntries(
      [...service.samples].map(([kind, values]) => [kind, stats(values)]),
    );
    const requests = [...service.samples.values()].reduce((sum, v) => sum + v.length, 0);
    return {
      mode: 'secure',
      shops: n,
      parameters: await parametersOf(shops[0]!),
      round: {
        id: opened.id,
        phase: round.phase,
        resultVersion: round.resultVersion ?? null,
        failureReason: round.failureReason ?? null,
        phaseEndsSeconds: phaseEnds(round.openedAt, round.phaseLog ?? []),
      },
      byRequest,
      requests,
      slotWait: stats(slotWaits),
      errors,
      retries,
      outcomes,
      wallMs: Math.round(wallMs),
      cpuSeconds: { coordinator: coordinatorCpu, shops: shopSeconds },
      shopCpuMsPerShop: (shopSeconds * 1000) / n,
      signatureChecks: signatureFigures(checks, n),
      loadAverage,
    };
  } finally {
    closeShops(shops);
    await stopService(service.child);
    rmSync(dir, { recursive: true, force: true });
  }
}

/** One sync of a shop during the round: the current round, then its secure step (null: over). */
async function pollOnce(
  shop: LoadShop,
  roundId: number,
  verify: SignatureCheck | undefined,
): Promise<SecureStep | null> {
  const current = await shop.http.send('GET', '/v1/rounds/current', null, currentRoundResponse, {
    kind: 'status',
    roundId: null,
  });
  const round = current.body!.round;
  if (!round || round.id !== roundId || round.phase === 'published' || round.phase === 'failed')
    return null;
  return stepSecureRound(
    {
      db: shop.db,
      http: shop.http,
      identity: { shopId: shop.shopId, privateKey: shop.privateKey },
      now: () => new Date(),
      ...(verify ? { verify } : {}),
      computeUpdate: async (view: RoundView) => {
        // The app trains from the round's model: it downloads it first (training is not timed).
        const model = await shop.http.send(
          'GET',
          `/v1/models/${view.modelVersion}`,
          null,
          modelResponse,
          { kind: 'model', roundId: view.id },
        );
        const length = model.body!.parameterCount;
        const seed = shop.shopId.charCodeAt(0);
        return {
          delta: Float32Array.from({ length }, (_, j) => 1e-3 * Math.sin(seed + j)),
          sampleCount: 30,
          metrics: null,
        };
      },
    },
    round,
  );
}

function signatureFigures(checks: SharedChecks | null, n: number) {
  if (!checks)
    return { shared: false, checked: 0, reused: 0, msPerCheck: null, oneShopRosterSeconds: null };
  const { checked, checkedMs, reused } = checks.counts;
  const msPerCheck = checked ? checkedMs / checked : null;
  return {
    shared: true,
    checked,
    reused,
    msPerCheck,
    oneShopRosterSeconds: msPerCheck === null ? null : (msPerCheck * n) / 1000,
  };
}

async function parametersOf(shop: LoadShop): Promise<number> {
  const model = await shop.http.send('GET', '/v1/models/current', null, modelResponse, {
    kind: 'model',
    roundId: null,
  });
  return model.body!.parameterCount;
}

function phaseEnds(openedAt: string, log: { phase: string; at: string }[]): Record<string, number> {
  const opened = Date.parse(openedAt);
  const ends: Record<string, number> = {};
  for (const [i, entry] of log.entries()) {
    const next = log[i + 1];
    if (next) ends[entry.phase] = Math.round((Date.parse(next.at) - opened) / 100) / 10;
  }
  return ends;
}

export function formatSecureLoad(r: SecureLoadResult): string[] {
  return [
    `secure round of ${r.shops} shops, ${r.parameters} parameters: ${r.round.phase}${r.round.failureReason ? ` (${r.round.failureReason})` : ''} → model version ${r.round.resultVersion ?? '-'} in ${(r.wallMs / 1000).toFixed(1)} s; ${r.requests} requests, ${r.errors} failed for good, ${r.retries} retried`,
    `phase ends (s after opening): ${Object.entries(r.round.phaseEndsSeconds)
      .map(([phase, s]) => `${phase} ${s}`)
      .join(', ')}`,
    ...Object.entries(r.byRequest).map(([kind, s]) => formatStats(kind, s)),
    formatStats('wait for a harness slot', r.slotWait),
    r.signatureChecks.shared
      ? `signatures of the roster and the unmask request: SHARED across the simulated shops (harness option): ${r.signatureChecks.checked} checked (${r.signatureChecks.msPerCheck?.toFixed(3)} ms each), ${r.signatureChecks.reused} reused; one shop's own check of this ${r.shops}-line roster: ${r.signatureChecks.oneShopRosterSeconds?.toFixed(2)} s`
      : 'signatures of the roster and the unmask request: every shop checks all of them',
    `shops: ${Object.entries(r.outcomes)
      .map(([what, count]) => `${count} ${what}`)
      .join(', ')}`,
    `CPU s: coordinator ${r.cpuSeconds.coordinator.toFixed(1)}, shops ${r.cpuSeconds.shops.toFixed(1)} (${r.shopCpuMsPerShop.toFixed(0)} ms per shop); load average ${r.loadAverage.toFixed(1)} at the start`,
  ];
}
