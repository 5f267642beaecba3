import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { pino } from 'pino';
import { buildCoordinator, type CoordinatorPlugin } from '../coordinator/app.ts';
import { createOperator } from '../coordinator/operator/accounts.ts';
import { weightsFromSharedModel } from '../coordinator/rounds/initial-model.ts';
import type { RoundSettings } from '../federated/protocol/index.ts';
import { openDatabase, type Db } from '../electron/store/database.ts';
import { SyncClient } from '../electron/sync/client.ts';
import type { PrivacyPolicy } from '../electron/api/contract/privacy.ts';
import { savePrivacyPolicy } from '../electron/privacy/policy.ts';
import { loadGlobalModel } from '../electron/sync/global-models.ts';
import type { LocalTrainer } from '../electron/sync/trainer.ts';
import { appVersion } from '../electron/backend/version.ts';
import { OperatorApiError, OperatorClient } from './operator-client.ts';
import { seededRandom } from '../federated/model/random.ts';
import { retryDelayMs } from '../electron/sync/outbox.ts';
import { setupRetry, shopRetry, sleep, withRetries } from './retry.ts';

export { shopRetry } from './retry.ts';

export type RunningCoordinator = {
  url: string;
  operator: OperatorClient;
  /** Set for an in-process coordinator: its Fastify app. */
  app: FastifyInstance | null;
  close(): Promise<void>;
};

/**
 * An in-process coordinator on 127.0.0.1 (a free port) with its own SQLite file and an operator
 * account, logged in over HTTP like the dashboard.
 */
export async function startLocalCoordinator(options: {
  dir: string;
  seed?: number;
  operatorName?: string;
  operatorPassword?: string;
  plugins?: CoordinatorPlugin[];
  port?: number;
}): Promise<RunningCoordinator & { operatorName: string; operatorPassword: string }> {
  const app = await buildCoordinator({
    db: join(options.dir, 'coordinator.sqlite'),
    logger: pino({ level: 'silent' }),
    initialWeights: weightsFromSharedModel(options.seed ?? 1),
    schedule: false,
    // Plain and secure-aggregation rounds, as the coordinator service offers them.
    plugins: [...(options.plugins ?? [])],
    // Every simulated shop enrols (and the operator logs in) within seconds from one address.
    loginRateLimit: { max: 1000, timeWindow: 60_000 },
    enrolRateLimit: { max: 10_000, timeWindow: 60_000 },
    // Its plugins load while worker threads train on every core: on a busy machine Fastify's
    // 10 s plugin timeout ran out before the cookie plugin had started.
    pluginTimeout: 0,
  });
  const operatorName = options.operatorName ?? 'operator';
  const operatorPassword = options.operatorPassword ?? randomBytes(12).toString('base64url');
  try {
    const { store } = app.coordinator;
    if (!(await store.get('SELECT 1 AS found FROM operators WHERE name = ?', [operatorName])))
      await createOperator(store, operatorName, operatorPassword);
    await app.listen({ host: '127.0.0.1', port: options.port ?? 0 });
  } catch (error) {
    await app.close();
    throw error;
  }
  const address = app.server.address();
  if (!address || typeof address === 'string') throw new Error('coordinator has no port');
  const url = `http://127.0.0.1:${address.port}`;
  const operator = await OperatorClient.login(url, operatorName, operatorPassword);
  return { url, operator, app, operatorName, operatorPassword, close: () => app.close() };
}

/** A coordinator run elsewhere (`--coordinator URL`): the operator logs in with a password. */
export async function connectCoordinator(
  url: string,
  name: string,
  password: string,
): Promise<RunningCoordinator> {
  const base = url.replace(/\/+$/, '');
  const operator = await OperatorClient.login(base, name, password);
  return { url: base, operator, app: null, close: async () => {} };
}

export type SimShop = { id: string; db: Db; client: SyncClient };

/**
 * Simulated bakeries that take part in every round the experiment runs (plain, noiseless,
 * small, no epsilon limit): what a simulation measures is learning, not the bakeries' policy.
 * The threshold rule of the app still applies to secure rounds.
 */
export const everyRoundPolicy: PrivacyPolicy = {
  allowPlainRounds: true,
  minNoiseMultiplier: 0,
  minShops: 2,
  epsilonLimit: null,
};

/**
 * Enrols one shop per trainer with an invite code, each with its own SQLite file, and saves
 * `policy` as every shop's privacy policy. A shop talks to the coordinator at `coordinatorUrl`
 * when given (a proxy in front of it, in tests).
 */
export async function enrolShops(
  coordinator: RunningCoordinator,
  dir: string,
  shops: {
    id: string;
    name: string;
    trainer: LocalTrainer;
    dbPath?: string;
    db?: Db;
    coordinatorUrl?: string;
  }[],
  policy: PrivacyPolicy,
): Promise<SimShop[]> {
  const enrolled: SimShop[] = [];
  for (const [i, shop] of shops.entries()) {
    const db = shop.db ?? openDatabase(shop.dbPath ?? join(dir, `shop-${i + 1}.sqlite`));
    savePrivacyPolicy(db, policy, new Date());
    const client = new SyncClient({ db, trainer: shop.trainer, appVersion });
    // A shop kept from an earlier run (demo --keep) is enrolled already.
    if (!client.status().enrolled) await enrolWithRetries(coordinator, client, shop);
    enrolled.push({ id: shop.id, db, client });
  }
  return enrolled;
}

/**
 * Enrolment retried like every other network step. A one-time invite cannot be sent twice, so
 * each attempt takes a fresh one; when an earlier attempt's answer was lost the coordinator
 * holds a shop this bakery never learnt of, which the operator then revokes (by its name, as
 * an operator would from the dashboard) so that no round waits for it.
 */
async function enrolWithRetries(
  coordinator: RunningCoordinator,
  client: SyncClient,
  shop: { id: string; name: string; coordinatorUrl?: string },
): Promise<void> {
  let attempts = 0;
  const status = await withRetries(async () => {
    attempts++;
    return client.enrol({
      coordinatorUrl: shop.coordinatorUrl ?? coordinator.url,
      inviteCode: await coordinator.operator.invite(),
      shopName: shop.name,
    });
  });
  if (!status.enrolled || !status.shopId) throw new Error(`${shop.id} could not enrol`);
  if (attempts === 1) return;
  const { shops } = await coordinator.operator.call<{
    shops: { id: string; name: string; revokedAt: string | null }[];
  }>('GET', '/v1/operator/shops');
  for (const orphan of shops.filter(
    (s) => s.name === shop.name && s.id !== status.shopId && s.revokedAt === null,
  ))
    await coordinator.operator.call(
      'POST',
      `/v1/operator/shops/${orphan.id}/revoke`,
      {},
      { retry: true },
    );
}

/** A simulated shop's step that still failed after its retries: reported, never fatal. */
export type ShopFailure = { shop: string; round: number | null; message: string };

export type RoundOutcome = {
  id: number;
  phase: string;
  participants: number;
  uploads: number;
  resultVersion: number | null;
  failureReason: string | null;
  /** Shops whose part of this round failed after every retry. */
  failures: ShopFailure[];
};

export type RoundProgress =
  | { kind: 'round'; round: number; rounds: number }
  | { kind: 'shop'; round: number; done: number; total: number; shop: string }
  /** Bakery-rounds finished (uploaded, failed or offline) of shops × rounds. */
  | { kind: 'bakery-rounds'; done: number; total: number; failed: number };

type RoundSummary = Omit<RoundOutcome, 'failures'>;

const terminal = (phase: string) => phase === 'published' || phase === 'failed';

/** One sync of a shop, retried until it ends without an error; the last error when it never does. */
export async function syncWithRetries(shop: SimShop): Promise<{
  error: string | null;
  participatedInRound: number | null;
}> {
  let error = 'not synced';
  let participated: number | null = null;
  for (let attempt = 1; attempt <= shopRetry.attempts; attempt++) {
    try {
      const result = await shop.client.runOnce({ ignoreBackoff: true });
      participated ??= result.participatedInRound;
      if (!result.status.lastError) return { error: null, participatedInRound: participated };
      error = result.status.lastError;
    } catch (e) {
      error = (e as Error).message;
    }
    if (attempt < shopRetry.attempts) await sleep(retryDelayMs(attempt) * shopRetry.timeScale);
  }
  return { error, participatedInRound: participated };
}

/**
 * Runs `rounds` federated rounds: the operator opens each round with `settings`; every shop
 * that is online (each drops out of a round with probability `dropout`) syncs until the round
 * ends, exactly as the app's scheduled sync would — all online shops at once, each retrying
 * failed steps like the app's outbox. A shop whose step still fails is reported in the round's
 * `failures` and the round goes on without it; when the online shops have nothing more to do
 * and the phase has not ended, the operator closes it (what a deadline would do). At the end
 * every shop syncs once more to download and evaluate the last model.
 */
export async function runRounds(options: {
  coordinator: RunningCoordinator;
  shops: SimShop[];
  rounds: number;
  settings: Partial<RoundSettings>;
  dropout?: number;
  seed?: number;
  onProgress?: (progress: RoundProgress) => void;
}): Promise<{ rounds: RoundOutcome[]; finalFailures: ShopFailure[] }> {
  const { coordinator, shops } = options;
  const random = seededRandom(options.seed ?? 1);
  const outcomes: RoundOutcome[] = [];
  const grid = { done: 0, total: shops.length * options.rounds, failed: 0 };
  const report = () => options.onProgress?.({ kind: 'bakery-rounds', ...grid });
  report();
  for (let r = 1; r <= options.rounds; r++) {
    options.onProgress?.({ kind: 'round', round: r - 1, rounds: options.rounds });
    let opened: RoundSummary;
    try {
      opened = await openRound(coordinator.operator, options.settings);
    } catch (error) {
      if (error instanceof OperatorApiError && error.code === 'mode-unavailable')
        throw new Error(
          `the coordinator does not offer ${options.settings.mode ?? 'this'} rounds: ${error.message}`,
          { cause: error },
        );
      throw error;
    }
    const online = shops.filter(() => random() >= (options.dropout ?? 0));
    const finished = new Set<string>();
    const failures = new Map<string, string>();
    const finish = (shop: string, failed: boolean) => {
      if (finished.has(shop)) return;
      finished.add(shop);
      grid.done++;
      if (failed) grid.failed++;
      report();
    };
    let summary = opened;
    let passes = 0;
    while (!terminal(summary.phase)) {
      const before = `${summary.phase}/${summary.uploads}`;
      let done = 0;
      await Promise.all(
        online.map(async (shop) => {
          const sync = await syncWithRetries(shop);
          options.onProgress?.({
            kind: 'shop',
            round: r,
            done: ++done,
            total: online.length,
            shop: shop.id,
          });
          if (sync.error !== null) {
            failures.set(shop.id, sync.error);
          } else {
            failures.delete(shop.id);
            if (sync.participatedInRound === opened.id) finish(shop.id, false);
          }
        }),
      );
      summary = await coordinator.operator.call<RoundSummary>(
        'GET',
        `/v1/operator/rounds/${opened.id}`,
      );
      if (terminal(summary.phase)) break;
      if (`${summary.phase}/${summary.uploads}` === before || online.length === 0) {
        summary = await closePhase(coordinator.operator, summary);
      }
      if (++passes > 20)
        throw new Error(`round ${opened.id} did not finish (stuck in ${summary.phase})`);
    }
    // Offline shops and those without a part in this round are done with it too.
    for (const shop of shops) finish(shop.id, failures.has(shop.id));
    outcomes.push({
      id: summary.id,
      phase: summary.phase,
      participants: summary.participants,
      uploads: summary.uploads,
      resultVersion: summary.resultVersion,
      failureReason: summary.failureReason,
      failures: [...failures].map(([shop, message]) => ({ shop, round: summary.id, message })),
    });
    options.onProgress?.({ kind: 'round', round: r, rounds: options.rounds });
  }
  const finalFailures: ShopFailure[] = [];
  await Promise.all(
    shops.map(async (shop) => {
      const sync = await syncWithRetries(shop);
      if (sync.error !== null)
        finalFailures.push({ shop: shop.id, round: null, message: sync.error });
    }),
  );
  return { rounds: outcomes, finalFailures };
}

/**
 * Opens a round, retried. A retry answered "a round is already running" means the earlier
 * attempt opened it before its answer was lost: that round is this one.
 */
async function openRound(
  operator: OperatorClient,
  settings: Partial<RoundSettings>,
): Promise<RoundSummary> {
  return withRetries(async (attempt) => {
    try {
      return await operator.call<RoundSummary>('POST', '/v1/operator/rounds', { settings });
    } catch (error) {
      if (attempt > 1 && error instanceof OperatorApiError && error.code === 'round-active') {
        const { rounds } = await operator.call<{ rounds: RoundSummary[] }>(
          'GET',
          '/v1/operator/rounds?limit=1',
        );
        if (rounds[0] && !terminal(rounds[0].phase)) return rounds[0];
      }
      throw error;
    }
  }, setupRetry);
}

/**
 * Ends the round's current phase, retried; closing twice would skip a phase, so a retry first
 * looks whether the lost attempt already moved the round on.
 */
async function closePhase(operator: OperatorClient, round: RoundSummary): Promise<RoundSummary> {
  const path = `/v1/operator/rounds/${round.id}`;
  return withRetries(async (attempt) => {
    if (attempt > 1) {
      const now = await operator.call<RoundSummary>('GET', path);
      if (now.phase !== round.phase) return now;
    }
    return operator.call<RoundSummary>('POST', `${path}/close-phase`);
  }, setupRetry);
}

/** The global model a shop holds now (what its sync client downloaded and checked). */
export function heldGlobalModel(shop: SimShop): { version: number; weights: Float32Array } {
  const version = shop.client.status().modelVersion;
  const weights = version === null ? null : loadGlobalModel(shop.db, version);
  if (version === null || !weights) throw new Error(`${shop.id} holds no global model`);
  return { version, weights };
}
