import { join } from 'node:path';
import { openDatabase, type Db } from '../../electron/store/database.ts';
import { SyncClient } from '../../electron/sync/client.ts';
import { CoordinatorHttp } from '../../electron/sync/http.ts';
import { ledgerRequestLog } from '../../electron/sync/ledger.ts';
import { loadSyncState } from '../../electron/sync/state.ts';
import type { PrivacyPolicy } from '../../electron/api/contract/privacy.ts';
import { savePrivacyPolicy } from '../../electron/privacy/policy.ts';
import { chainDays, linearTrainer, tempDir, type Day } from '../integration/coordinator-harness.ts';
import {
  loginOperator,
  seedCoordinatorDb,
  spawnCoordinator,
  type CoordinatorProcess,
  type OperatorCalls,
} from './coordinator-process.ts';

export type TestShop = {
  name: string;
  path: string;
  db: Db;
  client: SyncClient;
  trainer: ReturnType<typeof linearTrainer>;
  shopId: string;
  /** Signed HTTP as this shop, for the secure-round steps and hand-made requests. */
  http: (fetchImpl?: typeof fetch) => CoordinatorHttp;
};

const stores = [2, 5, 17, 25, 26, 28, 30, 33, 34, 36];

/**
 * For tests whose subject is not the bakery's policy: a bakery that takes part in every round
 * the protocol allows (plain, noiseless, small; no epsilon limit). The threshold rule stays.
 */
export const anyRoundPolicy: PrivacyPolicy = {
  allowPlainRounds: true,
  minNoiseMultiplier: 0,
  minShops: 2,
  epsilonLimit: null,
};

/** Enrols shops over real HTTP with operator invites; each has its own SQLite file. */
export async function enrolTestShops(
  url: string,
  dir: string,
  operator: OperatorCalls,
  count: number,
  options: {
    prefix?: string;
    fetch?: (i: number) => typeof fetch | undefined;
    /** Saved in each shop's database; without it the app's defaults apply. */
    policy?: PrivacyPolicy;
    /** The shop's sales; default: a store of the real chain data in ../shared. */
    days?: (i: number) => Day[];
  } = {},
): Promise<TestShop[]> {
  const shops: TestShop[] = [];
  for (let i = 0; i < count; i++) {
    const name = `${options.prefix ?? 'shop'}-${i}`;
    const path = join(dir, `${name}.db`);
    const db = openDatabase(path);
    if (options.policy) savePrivacyPolicy(db, options.policy, new Date());
    const trainer = linearTrainer(
      options.days?.(i) ?? chainDays(stores[i % stores.length]!, 'roll', 40 + 7 * i),
    );
    const client = new SyncClient({ db, trainer, appVersion: '0.1.0', fetch: options.fetch?.(i) });
    const invite = await operator.call('POST', '/v1/operator/invites', { expiresInHours: 1 });
    if (invite.status !== 200) throw new Error(`invite: ${JSON.stringify(invite.body)}`);
    await client.enrol({
      coordinatorUrl: url,
      inviteCode: String(invite.body.code),
      shopName: `Bakery ${name}`,
    });
    const state = loadSyncState(db)!;
    shops.push({
      name,
      path,
      db,
      client,
      trainer,
      shopId: state.shopId,
      http: (fetchImpl) =>
        new CoordinatorHttp(
          {
            baseUrl: url,
            appVersion: '0.1.0',
            now: () => new Date(),
            clockOffsetMs: 0,
            fetch: fetchImpl,
            log: ledgerRequestLog(db, () => new Date()),
          },
          { shopId: state.shopId, privateKey: state.privateKey },
        ),
    });
  }
  return shops;
}

/** `PRAGMA integrity_check` of a shop database: 'ok' or the first problems. */
export function integrityOf(db: Db): string {
  return (db.pragma('integrity_check') as { integrity_check: string }[])
    .map((r) => r.integrity_check)
    .join('; ');
}

/** The update as the shop sends it: local − global, clipped to C. */
export function clippedDelta(
  trainer: ReturnType<typeof linearTrainer>,
  global: Float32Array,
  settings: { localEpochs: number; learningRate: number; clipNorm: number },
): Float64Array {
  const local = trainer.trainSync(global, settings.localEpochs, settings.learningRate);
  const delta = Float32Array.from(local, (v, i) => v - global[i]!);
  const norm = Math.sqrt(delta.reduce((s, v) => s + v * v, 0));
  const scale = norm > settings.clipNorm ? settings.clipNorm / norm : 1;
  return Float64Array.from(delta, (v) => Math.fround(v * scale));
}

/** Every phase deadline at `seconds`, open at once unless told: rounds move only when shops act. */
export function phaseDeadlines(seconds: number, openSeconds = 0) {
  return {
    openSeconds,
    advertiseSeconds: seconds,
    shareSeconds: seconds,
    collectSeconds: seconds,
    confirmSeconds: seconds,
    unmaskSeconds: seconds,
  };
}

export type Consortium = {
  dir: string;
  dbPath: string;
  coordinator: CoordinatorProcess;
  operator: OperatorCalls;
  shops: TestShop[];
  /** Starts the coordinator again on the same database and port (after the test killed it). */
  respawn(): Promise<CoordinatorProcess>;
};

const started: { coordinators: CoordinatorProcess[]; shops: TestShop[] } = {
  coordinators: [],
  shops: [],
};

/**
 * The shipped coordinator CLI as a child process on a seeded database in a fresh directory,
 * an operator session, and `shopCount` shops enrolled over HTTP. Call `stopConsortia` in afterAll.
 */
export async function startConsortium(
  name: string,
  shopCount: number,
  shopPrefix: string,
  policy?: PrivacyPolicy,
): Promise<Consortium> {
  const dir = tempDir(`breadcast-${name}-`);
  const dbPath = join(dir, 'coordinator.db');
  await seedCoordinatorDb(dbPath);
  const coordinator = await spawnCoordinator(dbPath);
  started.coordinators.push(coordinator);
  const operator = await loginOperator(coordinator.url);
  const shops = await enrolTestShops(coordinator.url, dir, operator, shopCount, {
    prefix: shopPrefix,
    ...(policy ? { policy } : {}),
  });
  started.shops.push(...shops);
  return {
    dir,
    dbPath,
    coordinator,
    operator,
    shops,
    respawn: async () => {
      const again = await spawnCoordinator(dbPath, { port: coordinator.port });
      started.coordinators.push(again);
      return again;
    },
  };
}

/** Kills every coordinator `startConsortium` started and closes its shops' databases. */
export async function stopConsortia(): Promise<void> {
  for (const c of started.coordinators.splice(0)) await c.kill();
  for (const s of started.shops.splice(0)) s.db.close();
}
