import type { Logger } from 'pino';
import { audit, type CoordinatorStore } from '../store/database.ts';
import { currentModelVersion, insertModel, setCurrentModelVersion } from '../store/models.ts';

export type InitialWeights = () => Float32Array | Promise<Float32Array>;

type ModelModule = {
  createModel(seed?: number): unknown;
  getFlatWeights(model: unknown): Float32Array;
};

/** Version 1 of the global model comes from the shared model code (`createModel(seed)`). */
export const weightsFromSharedModel =
  (seed: number): InitialWeights =>
  async () => {
    // Resolved at run time so the coordinator still starts (with an explicit error) while the
    // shared model module is missing.
    const path = '../../federated/model/network.ts';
    const model = (await import(path)) as ModelModule;
    return model.getFlatWeights(model.createModel(seed));
  };

/** Seeds the registry with version 1 when it is empty (once, however many coordinators start). */
export async function ensureInitialModel(
  store: CoordinatorStore,
  initial: InitialWeights,
  log: Logger,
  now: Date,
): Promise<void> {
  if ((await currentModelVersion(store)) !== null) return;
  const weights = await initial();
  await store.transaction(async (tx) => {
    await tx.lock('models');
    if ((await currentModelVersion(tx)) !== null) return;
    const row = await insertModel(
      tx,
      { weights, roundId: null, parentVersion: null, settings: null },
      now,
    );
    await setCurrentModelVersion(tx, row.version);
    await audit(
      tx,
      'system',
      'model.initial',
      { version: row.version, parameters: weights.length, sha256: row.sha256 },
      now,
    );
    log.info({ version: row.version, parameters: weights.length }, 'initial global model stored');
  });
}
