/** Shops enrolled over real HTTP and one secure round driven through every phase, shared by the SecAgg tests. */
import { join } from 'node:path';
import { expect } from 'vitest';
import type { FastifyInstance } from 'fastify';
import type { PrivacyPolicy } from '../../electron/api/contract/privacy.ts';
import { savePrivacyPolicy } from '../../electron/privacy/policy.ts';
import { openDatabase, type Db } from '../../electron/store/database.ts';
import { SyncClient } from '../../electron/sync/client.ts';
import { CoordinatorHttp } from '../../electron/sync/http.ts';
import { ledgerRequestLog } from '../../electron/sync/ledger.ts';
import { stepSecureRound, type SecureStep } from '../../electron/sync/secagg-client.ts';
import { loadSyncState } from '../../electron/sync/state.ts';
import type { RoundView } from '../../federated/protocol/index.ts';
import { chainDays, linearTrainer, type operatorSession } from './coordinator-harness.ts';
import { sqliteOf, storedWeights } from '../support/coordinator-store.ts';

export type Shop = {
  name: string;
  db: Db;
  shopId: string;
  http: CoordinatorHttp;
  update: (global: Float32Array) => Float32Array;
};

export type Phase = 'advertise' | 'share' | 'collect' | 'unmask';
export const phases: Phase[] = ['advertise', 'share', 'collect', 'unmask'];

/** Enrols `count` shops over HTTP, each with its own SQLite file and identity. */
export async function enrolShops(
  url: string,
  dir: string,
  operator: Awaited<ReturnType<typeof operatorSession>>,
  updates: ((global: Float32Array) => Float32Array)[],
  fetchFor: (i: number) => typeof fetch | undefined = () => undefined,
  prefix = 'shop',
  /** Saved in each shop's database; null: the app's defaults. */
  policy: PrivacyPolicy | null = null,
): Promise<Shop[]> {
  const shops: Shop[] = [];
  for (const [i, update] of updates.entries()) {
    const name = `${prefix}-${i}`;
    const db = openDatabase(join(dir, `${name}.db`));
    if (policy) savePrivacyPolicy(db, policy, new Date());
    const client = new SyncClient({
      db,
      trainer: linearTrainer(chainDays(2, 'roll', 30)),
      appVersion: '0.1.0',
    });
    const invite = await operator.call('POST', '/v1/operator/invites', { expiresInHours: 1 });
    await client.enrol({
      coordinatorUrl: url,
      inviteCode: String(invite.body.code),
      shopName: `Bakery ${i}`,
    });
    const state = loadSyncState(db)!;
    const shop = { name, db, shopId: state.shopId, update } as Shop;
    // Tests reopen a shop's database mid-round: the ledger follows the shop's current handle.
    const ledger = () => ledgerRequestLog(shop.db, () => new Date());
    shop.http = new CoordinatorHttp(
      {
        baseUrl: url,
        appVersion: '0.1.0',
        now: () => new Date(),
        clockOffsetMs: 0,
        fetch: fetchFor(i),
        log: {
          sending: (request) => ledger().sending(request),
          answered: (id, status) => ledger().answered(id, status),
        },
      },
      { shopId: state.shopId, privateKey: state.privateKey },
    );
    shops.push(shop);
  }
  return shops;
}

/**
 * Drives one secure round over real HTTP: every shop polls and does its part; `dropAt` shops
 * stop answering from that phase on. Phases that wait for missing shops are closed by the
 * operator, as their deadline would.
 */
export async function runSecureRound(
  app: () => FastifyInstance,
  operator: Awaited<ReturnType<typeof operatorSession>>,
  shops: Shop[],
  dropped: Set<string>,
  dropAt: Phase | null,
  onPhase: (phase: Phase) => Promise<void> = async () => {},
): Promise<{ round: Record<string, unknown>; steps: SecureStep[] }> {
  // Keep-alive sockets of a coordinator that was restarted mid-round fail once; try again.
  const call = async (method: string, path: string, body?: unknown) => {
    for (let attempt = 1; ; attempt++) {
      try {
        return await operator.call(method, path, body);
      } catch (error) {
        if (attempt >= 3) throw error;
      }
    }
  };
  const opened = await call('POST', '/v1/operator/rounds', {});
  expect(opened.status, JSON.stringify(opened.body)).toBe(200);
  const roundId = Number(opened.body.id);
  const view = async (): Promise<RoundView> => {
    const r = await call('GET', `/v1/operator/rounds/${roundId}`);
    return r.body as unknown as RoundView;
  };
  const steps: SecureStep[] = [];
  for (const phase of phases) {
    let current = await view();
    if (current.phase !== phase) break;
    await onPhase(phase);
    for (const shop of shops) {
      if (dropAt && phases.indexOf(phase) >= phases.indexOf(dropAt) && dropped.has(shop.shopId))
        continue;
      const round = await view();
      if (round.phase !== phase) break;
      const options = {
        db: shop.db,
        http: shop.http,
        identity: { shopId: shop.shopId, privateKey: loadSyncState(shop.db)!.privateKey },
        now: () => new Date(),
        computeUpdate: async (r: RoundView) => {
          const global = storedWeights(sqliteOf(app()), r.modelVersion);
          return { delta: shop.update(global), sampleCount: 30 };
        },
      };
      try {
        steps.push(await stepSecureRound(options, round));
      } catch (error) {
        // A lost answer: the shop's next poll resends the persisted message.
        steps.push({ roundId, phase, action: 'waiting', message: String(error) });
        steps.push(await stepSecureRound(options, round));
      }
    }
    current = await view();
    if (current.phase === phase) await call('POST', `/v1/operator/rounds/${roundId}/close-phase`);
  }
  // Shops learn the outcome on their next poll, which also clears their round state.
  return { round: (await call('GET', `/v1/operator/rounds/${roundId}`)).body, steps };
}
