import { fork } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createOperator } from '../../coordinator/operator/accounts.ts';
import { openCoordinatorStore } from '../../coordinator/store/database.ts';
import type { ShopKeyPair } from '../../federated/protocol/index.ts';
import { cpuSecondsOf, startService, stopService } from '../bench/service-process.ts';
import { OperatorClient } from '../operator-client.ts';
import {
  enrolInDatabase,
  formatStats,
  inBatches,
  pollUntil,
  stats,
  type LatencyStats,
} from './load-tools.ts';
import { runShops, type ShopRunConfig, type ShopRunReport } from './secure-shop-runs.ts';

const childEntry = fileURLToPath(new URL('./secure-shop-process.ts', import.meta.url));
const projectRoot = fileURLToPath(new URL('../../', import.meta.url));

export type SecureLoadOptions = {
  shops: number;
  /**
   * How often a shop polls while the round runs (default: what keeps the shops' polls near 25
   * per second, at least every 2 s). The first polls are spread over one interval.
   */
  pollMs?: number;
  /**
   * Each phase's deadline; a phase ends earlier once every shop of the roster answered. Default:
   * 30 minutes, or one poll interval plus 0.4 s a shop when that is longer — the share phase is
   * every shop's 254 encryptions on this machine's two cores (about 0.2 CPU s a shop), and a
   * deadline that ends it early drops the shops still working (70 minutes at 10,000 shops).
   */
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
   * Processes the shops run in (default 1: this one). All of them are on this machine: more than
   * one lets the shops use the cores the coordinator leaves them. `concurrency` is per process.
   */
  processes?: number;
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
  /** Processes the shops ran in. */
  processes: number;
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
   * together (their processes: their SecAgg+ work, signing, their SQLite files and ledgers).
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
  /**
   * The round's SecAgg+ graph under the same option: built for real (and what one build took: a
   * real shop's one-off cost), reused by the other shops.
   */
  graphs: { shared: boolean; built: number; reused: number; msPerBuild: number | null };
  /**
   * The documents every shop receives byte for byte (roster, survivor set, unmask request) under
   * the same option: parsed and schema-checked for real (with the mean cost: what each real shop
   * pays), or answered from an identical earlier text.
   */
  documents: { shared: boolean; parsed: number; reused: number; msPerParse: number | null };
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
  const phaseSeconds = options.phaseSeconds ?? Math.max(1800, Math.round(pollMs / 1000 + 0.4 * n));
  const say = options.onProgress ?? (() => {});
  const loadAverage = loadavg()[0]!;
  const dir = mkdtempSync(join(tmpdir(), 'breadcast-secure-load-'));
  const database = join(dir, 'coordinator.db');
  const password = 'secure load operator password';
  let enrolled: { index: number; shopId: string; keys: ShopKeyPair }[] = [];
  const service = await (async () => {
    const store = await openCoordinatorStore(database);
    try {
      await createOperator(store, 'load', password);
      const now = new Date();
      enrolled = (
        await inBatches(n, 8, (i) => enrolInDatabase(store, `Secure bakery ${i}`, '0.1.0', now))
      ).map((shop, index) => ({ index, ...shop }));
      await store.close();
      return await startService(database);
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
              phaseSeconds,
            ]),
          ),
        },
      },
    });
    const opened = await operator.call<{ id: number }>('POST', '/v1/operator/rounds', {});
    const serviceBefore = cpuSecondsOf(service.child.pid!);
    const started = performance.now();
    let finished = 0;
    const shopDone = () => {
      if (++finished % Math.max(1, Math.round(n / 10)) === 0) say(`${finished}/${n} shops done`);
    };
    const processes = Math.max(1, Math.min(options.processes ?? 1, n));
    const config = (part: number): ShopRunConfig => ({
      url: service.url,
      dir,
      roundId: opened.id,
      n,
      pollMs,
      giveUpAt: Date.now() + phaseSeconds * 1000 * (phases.length + 1),
      concurrency: options.concurrency ?? 8,
      sharedChecks: options.sharedChecks !== false,
      // Interleaved, so every process has shops all along the spread of first polls.
      shops: enrolled.filter((_, i) => i % processes === part),
    });
    const reports =
      processes === 1
        ? [await runShops(config(0), shopDone)]
        : await Promise.all(
            Array.from({ length: processes }, (_, part) => shopProcess(config(part), shopDone)),
          );
    const wallMs = performance.now() - started;
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
    const shopSeconds = reports.reduce((sum, r) => sum + r.cpuSeconds, 0);
    const samples = new Map<string, number[]>();
    for (const report of reports)
      for (const [kind, values] of Object.entries(report.samples))
        samples.set(kind, [...(samples.get(kind) ?? []), ...values]);
    const byRequest = Object.fromEntries(
      [...samples].map(([kind, values]) => [kind, stats(values)]),
    );
    const requests = [...samples.values()].reduce((sum, v) => sum + v.length, 0);
    const outcomes: Record<string, number> = {};
    for (const report of reports)
      for (const [what, count] of Object.entries(report.outcomes))
        outcomes[what] = (outcomes[what] ?? 0) + count;
    const checks = addUp(reports.map((r) => r.checks));
    const graphs = addUp(reports.map((r) => r.graphs));
    const parses = addUp(reports.map((r) => r.parses));
    return {
      mode: 'secure',
      shops: n,
      parameters: reports[0]!.parameters,
      processes,
      round: {
        id: opened.id,
        phase: round.phase,
        resultVersion: round.resultVersion ?? null,
        failureReason: round.failureReason ?? null,
        phaseEndsSeconds: phaseEnds(round.openedAt, round.phaseLog ?? []),
      },
      byRequest,
      requests,
      slotWait: stats(reports.flatMap((r) => r.slotWaits)),
      errors: reports.reduce((total, r) => total + r.errors, 0),
      retries: reports.reduce((total, r) => total + r.retries, 0),
      outcomes,
      wallMs: Math.round(wallMs),
      cpuSeconds: { coordinator: coordinatorCpu, shops: shopSeconds },
      shopCpuMsPerShop: (shopSeconds * 1000) / n,
      signatureChecks: signatureFigures(checks, n),
      graphs: graphs
        ? {
            shared: true,
            ...graphs,
            msPerBuild: graphs.built ? graphs.builtMs / graphs.built : null,
          }
        : { shared: false, built: 0, reused: 0, msPerBuild: null },
      documents: parses
        ? {
            shared: true,
            parsed: parses.parsed,
            reused: parses.reused,
            msPerParse: parses.parsed ? parses.parsedMs / parses.parsed : null,
          }
        : { shared: false, parsed: 0, reused: 0, msPerParse: null },
      loadAverage,
    };
  } finally {
    await stopService(service.child);
    rmSync(dir, { recursive: true, force: true });
  }
}

function signatureFigures(checks: ShopRunReport['checks'], n: number) {
  if (!checks)
    return { shared: false, checked: 0, reused: 0, msPerCheck: null, oneShopRosterSeconds: null };
  const { checked, checkedMs, reused } = checks;
  const msPerCheck = checked ? checkedMs / checked : null;
  return {
    shared: true,
    checked,
    reused,
    msPerCheck,
    oneShopRosterSeconds: msPerCheck === null ? null : (msPerCheck * n) / 1000,
  };
}

/** One child process running its share of the shops; resolves to its report. */
function shopProcess(config: ShopRunConfig, onShopDone: () => void): Promise<ShopRunReport> {
  const child = fork(childEntry, [], {
    execArgv: ['--import', 'tsx'],
    cwd: projectRoot,
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  return new Promise((resolve, reject) => {
    let report: ShopRunReport | null = null;
    child.on('message', (message: { done?: true; report?: ShopRunReport; error?: string }) => {
      if (message.done) onShopDone();
      if (message.report) report = message.report;
      if (message.error) reject(new Error(`a shop process failed: ${message.error}`));
    });
    child.once('exit', (code) =>
      report
        ? resolve(report)
        : reject(new Error(`a shop process exited (${code}) without its report`)),
    );
    child.send(config);
  });
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
    `secure round of ${r.shops} shops (in ${r.processes} process${r.processes === 1 ? '' : 'es'}), ${r.parameters} parameters: ${r.round.phase}${r.round.failureReason ? ` (${r.round.failureReason})` : ''} → model version ${r.round.resultVersion ?? '-'} in ${(r.wallMs / 1000).toFixed(1)} s; ${r.requests} requests, ${r.errors} failed for good, ${r.retries} retried`,
    `phase ends (s after opening): ${Object.entries(r.round.phaseEndsSeconds)
      .map(([phase, s]) => `${phase} ${s}`)
      .join(', ')}`,
    ...Object.entries(r.byRequest).map(([kind, s]) => formatStats(kind, s)),
    formatStats('wait for a harness slot', r.slotWait),
    r.signatureChecks.shared
      ? `signatures of the roster and the unmask request: SHARED across the simulated shops (harness option): ${r.signatureChecks.checked} checked (${r.signatureChecks.msPerCheck?.toFixed(3)} ms each), ${r.signatureChecks.reused} reused; one shop's own check of this ${r.shops}-line roster: ${r.signatureChecks.oneShopRosterSeconds?.toFixed(2)} s`
      : 'signatures of the roster and the unmask request: every shop checks all of them',
    r.graphs.shared
      ? `SecAgg+ graph: SHARED across the simulated shops (harness option): ${r.graphs.built} built (${r.graphs.msPerBuild?.toFixed(0)} ms each: one shop's own build of this round's graph), ${r.graphs.reused} reused`
      : 'SecAgg+ graph: every shop builds it',
    r.documents.shared
      ? `roster, survivor set and unmask request: parsed once per identical text (harness option): ${r.documents.parsed} parsed (${r.documents.msPerParse?.toFixed(0)} ms each, what every real shop pays), ${r.documents.reused} reused`
      : 'roster, survivor set and unmask request: every shop parses them',
    `shops: ${Object.entries(r.outcomes)
      .map(([what, count]) => `${count} ${what}`)
      .join(', ')}`,
    `CPU s: coordinator ${r.cpuSeconds.coordinator.toFixed(1)}, shops ${r.cpuSeconds.shops.toFixed(1)} (${r.shopCpuMsPerShop.toFixed(0)} ms per shop); load average ${r.loadAverage.toFixed(1)} at the start`,
  ];
}

/** Field-by-field totals of the processes' counters; null when any process kept none. */
function addUp<T extends Record<string, number>>(
  parts: readonly (T | null | undefined)[],
): T | null {
  if (parts.some((part) => !part)) return null;
  const total: Record<string, number> = {};
  for (const part of parts as T[])
    for (const [key, value] of Object.entries(part)) total[key] = (total[key] ?? 0) + value;
  return total as T;
}
