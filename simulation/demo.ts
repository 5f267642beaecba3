import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { dashboardPlugin } from '../coordinator/overview/plugin.ts';
import { extractSamples } from '../federated/features/extract.ts';
import { initTrainer } from '../federated/model/train.ts';
import type { RoundSettings } from '../federated/protocol/index.ts';
import { createBackend, type Backend } from '../electron/backend/backend.ts';
import { startHttpBridge, type RunningBridge } from '../electron/bridge/http-bridge.ts';
import { consortiumModel } from '../electron/forecast/consortium-model.ts';
import { loadHistories } from '../electron/forecast/histories.ts';
import { saveTrainedModel } from '../electron/forecast/model-store.ts';
import { bakeryChainCsv, createDemoDatabase } from '../electron/logs/demo.ts';
import { openDatabase } from '../electron/store/database.ts';
import { defaultPrivacyPolicy } from '../electron/privacy/policy.ts';
import { modelTrainer } from '../electron/sync/model-trainer.ts';
import { storesOf } from './bakeries.ts';
import {
  enrolShops,
  heldGlobalModel,
  runRounds,
  startLocalCoordinator,
  type RoundOutcome,
  type SimShop,
} from './consortium.ts';
import type { SimulationProgress } from './simulate.ts';

export type DemoOptions = {
  /** Everything the demo writes (coordinator and bakery databases). */
  dir: string;
  /** Reuse what an earlier run left in `dir` instead of starting afresh. */
  keep?: boolean;
  stores?: number;
  rounds?: number;
  coordinatorPort?: number;
  appPort?: number;
  /** Built renderer for the bakery app. */
  rendererDist: string;
  say?: (line: string) => void;
  onProgress?: (progress: SimulationProgress) => void;
};

export type RunningDemo = {
  dashboardUrl: string;
  appUrl: string;
  operatorName: string;
  operatorPassword: string;
  rounds: RoundOutcome[];
  close(): Promise<void>;
};

/**
 * The product's default rounds — secure aggregation, noise multiplier and clip norm as a new
 * coordinator has them, threshold from the shops — with modest local training so a few rounds
 * of five bakeries finish in well under a minute. Each bakery keeps the app's default policy,
 * which these rounds meet.
 */
export const demoRoundSettings: Partial<RoundSettings> = {
  localEpochs: 2,
  learningRate: 0.003,
  batchSize: 256,
  serverOptimizer: { kind: 'fedavg', learningRate: 1 },
};

function credentials(dir: string, keep: boolean): { name: string; password: string } {
  const file = join(dir, 'operator.json');
  if (keep && existsSync(file))
    return JSON.parse(readFileSync(file, 'utf8')) as { name: string; password: string };
  const fresh = { name: 'demo', password: randomBytes(9).toString('base64url') };
  writeFileSync(file, JSON.stringify(fresh), { mode: 0o600 });
  return fresh;
}

/**
 * The one-command demo: a coordinator with its dashboard, bakeries built from the real chain
 * data (each its own SQLite), enrolled with invite codes, a few federated rounds, then the
 * first bakery's app in browser mode with the consortium model adopted (the app's local
 * adaptation of the merged model), so its forecast screen has something to show.
 */
export async function startDemo(options: DemoOptions): Promise<RunningDemo> {
  const say = options.say ?? (() => {});
  const keep = options.keep ?? false;
  if (!keep) rmSync(options.dir, { recursive: true, force: true });
  mkdirSync(options.dir, { recursive: true });
  const operator = credentials(options.dir, keep);
  await initTrainer();

  const closers: (() => Promise<void> | void)[] = [];
  const close = async () => {
    for (const fn of closers.reverse()) await fn();
    closers.length = 0;
  };
  try {
    const coordinator = await startLocalCoordinator({
      dir: options.dir,
      operatorName: operator.name,
      operatorPassword: operator.password,
      plugins: [dashboardPlugin()],
      ...(options.coordinatorPort !== undefined ? { port: options.coordinatorPort } : {}),
    });
    closers.push(() => coordinator.close());

    const stores = storesOf(bakeryChainCsv).slice(0, options.stores ?? 5);
    const bakeries = [];
    for (const [i, store] of stores.entries()) {
      const path = join(options.dir, `bakery-${store}.sqlite`);
      const name = `Bakery ${i + 1} (chain store ${store})`;
      let db;
      if (existsSync(path)) db = openDatabase(path);
      else {
        say(`Building ${name} from the chain's real sales…`);
        db = (
          await createDemoDatabase(path, {
            store: store ?? undefined,
            shopName: name,
            moveToRecent: true,
          })
        ).db;
      }
      closers.push(() => {
        db.close();
      });
      bakeries.push({ id: `store-${store}`, name, db, dbPath: path, trainer: modelTrainer(db) });
    }
    const shops: SimShop[] = await enrolShops(
      coordinator,
      options.dir,
      bakeries,
      defaultPrivacyPolicy,
    );
    say(
      `${shops.length} bakeries enrolled with invite codes; running ${options.rounds ?? 3} rounds.`,
    );
    const { rounds } = await runRounds({
      coordinator,
      shops,
      rounds: options.rounds ?? 3,
      settings: demoRoundSettings,
      ...(options.onProgress ? { onProgress: options.onProgress } : {}),
    });

    // The bakery we open adopts the consortium model the way the app does.
    const first = shops[0]!;
    const global = heldGlobalModel(first);
    const samples = loadHistories(first.db).flatMap((p) => extractSamples(p.history));
    const startedAt = new Date().toISOString();
    options.onProgress?.({ kind: 'stage', stage: 'local adaptation of the consortium model' });
    const adapted = await consortiumModel(global.weights, samples);
    saveTrainedModel(
      first.db,
      { weights: adapted.model, source: 'adapted', globalVersion: global.version },
      {
        startedAt,
        finishedAt: new Date().toISOString(),
        trigger: 'cli',
        backend: await initTrainer(),
        samples: samples.length,
        epochs: adapted.epochs,
        lossBefore: adapted.lossBefore,
        lossAfter: adapted.lossAfter,
      },
    );

    const backend: Backend = createBackend({
      databasePath: bakeries[0]!.dbPath,
      transport: 'http',
    });
    closers.push(() => backend.close());
    const bridge: RunningBridge = await startHttpBridge({
      backend,
      port: options.appPort ?? 0,
      staticDir: options.rendererDist,
    });
    closers.push(() => bridge.close());
    return {
      dashboardUrl: `${coordinator.url}/dashboard/`,
      appUrl: bridge.url,
      operatorName: operator.name,
      operatorPassword: operator.password,
      rounds,
      close,
    };
  } catch (error) {
    await close();
    throw error;
  }
}
