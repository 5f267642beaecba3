import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { SimBakery } from './bakeries.ts';
import {
  connectCoordinator,
  enrolShops,
  everyRoundPolicy,
  heldGlobalModel,
  runRounds,
  startLocalCoordinator,
  type RoundOutcome,
  type RoundProgress,
  type RunningCoordinator,
  type ShopFailure,
} from './consortium.ts';
import { OperatorClient } from './operator-client.ts';
import { pooledTrainer } from './pooled-trainer.ts';
import type { SimulationOptions } from './simulate.ts';
import { defaultRoundSettings, type RoundSettings } from '../federated/protocol/index.ts';
import { minimumThreshold } from '../federated/protocol/privacy-policy.ts';
import type { TrainingPool } from './workers/training-pool.ts';

/**
 * Round settings of the simulated consortium: the coordinator's defaults (local epochs, learning
 * rate, batch size, weighting, server optimiser), except what a simulation chooses by its flags —
 * plain rounds and no noise unless asked for — and a clip norm that does not bind without noise
 * (the default one is sized to the default noise).
 */
export function simulationRoundSettings(
  options: SimulationOptions,
  shops: number,
): Partial<RoundSettings> {
  const product = defaultRoundSettings;
  return {
    mode: options.secureAggregation ? 'secure' : 'plain',
    localEpochs: product.localEpochs,
    learningRate: product.learningRate,
    batchSize: product.batchSize,
    clipNorm: 2,
    minShops: Math.min(2, shops),
    weighting: product.weighting,
    maxSampleWeight: 100_000,
    serverOptimizer: product.serverOptimizer,
    noiseMultiplier: options.noiseMultiplier ?? 0,
    // The threshold every bakery's app requires of a roster of all of them.
    ...(options.secureAggregation ? { secaggThreshold: minimumThreshold(shops) } : {}),
    deadlines: {
      openSeconds: 0,
      advertiseSeconds: 3600,
      shareSeconds: 3600,
      collectSeconds: 3600,
      confirmSeconds: 3600,
      unmaskSeconds: 3600,
    },
    ...options.round,
  };
}

/**
 * The federated part: an in-process (or remote) coordinator, one enrolled shop per bakery with
 * its own SQLite file and a trainer on the pool, R rounds; returns the model each bakery holds.
 */
export async function federate(
  options: SimulationOptions,
  trainable: SimBakery[],
  pool: TrainingPool,
  seed: number,
  rounds: number,
  progress: (p: RoundProgress | { kind: 'stage'; stage: string }) => void,
): Promise<{
  roundLog: RoundOutcome[];
  failures: ShopFailure[];
  models: Map<string, Float32Array>;
}> {
  const round = simulationRoundSettings(options, trainable.length);
  const dir = mkdtempSync(join(tmpdir(), 'breadcast-simulate-'));
  let coordinator: RunningCoordinator | null = null;
  let shops: Awaited<ReturnType<typeof enrolShops>> = [];
  try {
    progress({ kind: 'stage', stage: 'enrolling bakeries' });
    coordinator = options.coordinator
      ? await connectCoordinator(
          options.coordinator.url,
          options.coordinator.operator,
          options.coordinator.password,
        )
      : await operatorThrough(await startLocalCoordinator({ dir, seed }), options.operatorUrl);
    const url = coordinator.url;
    shops = await enrolShops(
      coordinator,
      dir,
      await Promise.all(
        trainable.map(async (b) => ({
          id: b.id,
          name: `Simulated ${b.id}`,
          trainer: pooledTrainer(b, pool),
          coordinatorUrl: options.shopUrl ? await options.shopUrl(b.id, url) : url,
        })),
      ),
      everyRoundPolicy,
    );
    const run = await runRounds({
      coordinator,
      shops,
      rounds,
      settings: round,
      dropout: options.dropout ?? 0,
      seed,
      onProgress: progress,
    });
    if (!run.rounds.some((r) => r.phase === 'published'))
      throw new Error(
        `no federated round completed (${run.rounds.map((r) => `round ${r.id}: ${r.failureReason ?? r.phase}`).join('; ')})` +
          (options.secureAggregation
            ? '. The shops did not complete secure aggregation: their sync client must take part in secure rounds.'
            : ''),
      );
    const models = new Map<string, Float32Array>();
    for (const shop of shops) {
      try {
        models.set(shop.id, heldGlobalModel(shop).weights);
      } catch {
        // Reported by the caller: a bakery without a model has no federated figures.
      }
    }
    return {
      roundLog: run.rounds,
      failures: [...run.rounds.flatMap((r) => r.failures), ...run.finalFailures],
      models,
    };
  } finally {
    for (const shop of shops) shop.db.close();
    await coordinator?.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The in-process coordinator with its operator logged in again at `route`'s address, if given. */
async function operatorThrough(
  local: Awaited<ReturnType<typeof startLocalCoordinator>>,
  route: SimulationOptions['operatorUrl'],
): Promise<RunningCoordinator> {
  if (!route) return local;
  const url = await route(local.url);
  return {
    ...local,
    operator: await OperatorClient.login(url, local.operatorName, local.operatorPassword),
  };
}
