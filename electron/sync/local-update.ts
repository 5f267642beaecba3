/**
 * The one training path of both round modes: trains from the round's global model on this
 * bakery's logs and returns local − global (unclipped; each mode clips its own way).
 */
import type { RoundView } from '../../federated/protocol/index.ts';
import type { CoordinatorHttp } from './http.ts';
import { modelVersion, type ModelContext } from './model-download.ts';
import type { LocalUpdate } from './secagg-client.ts';
import type { LocalTrainer } from './trainer.ts';

export type TrainingContext = ModelContext & { trainer: LocalTrainer };

export async function localUpdate(
  ctx: TrainingContext,
  http: CoordinatorHttp,
  round: RoundView,
): Promise<{ delta: Float32Array; sampleCount: number }> {
  const global = await modelVersion(ctx, http, round.modelVersion);
  const { settings } = round;
  const trained = await ctx.trainer.train({
    initialWeights: global,
    epochs: settings.localEpochs,
    learningRate: settings.learningRate,
    batchSize: settings.batchSize,
    seed: round.id,
  });
  if (trained.weights.length !== global.length)
    throw new Error('the local model does not match the global model size');
  const delta = new Float32Array(global.length);
  for (let i = 0; i < delta.length; i++) delta[i] = trained.weights[i]! - global[i]!;
  return { delta, sampleCount: trained.sampleCount };
}

/**
 * A secure round's update also carries how the round's global model does on this bakery's
 * recent days: masked coordinates, so the coordinator learns only the consortium's figures.
 */
export async function secureUpdate(
  ctx: TrainingContext,
  http: CoordinatorHttp,
  round: RoundView,
): Promise<LocalUpdate> {
  const update = await localUpdate(ctx, http, round);
  const figures = await ctx.trainer.evaluate(await modelVersion(ctx, http, round.modelVersion));
  return { ...update, metrics: figures && { wape: figures.wape, pinball: figures.pinball } };
}
