/**
 * Global models from the coordinator: downloaded once per version, checked against the hash the
 * coordinator published for them, and kept in the shop database (global-models.ts).
 */
import { decodeFloat32, modelResponse, weightsHash } from '../../federated/protocol/index.ts';
import type { Db } from '../store/database.ts';
import { SyncError } from './errors.ts';
import { loadGlobalModel, storeGlobalModel } from './global-models.ts';
import type { CoordinatorHttp } from './http.ts';
import { updateSyncState } from './state.ts';

export type ModelContext = { db: Db; now: () => Date };

/** One global version's weights: the one kept here, or downloaded and kept. */
export async function modelVersion(
  ctx: ModelContext,
  http: CoordinatorHttp,
  version: number,
): Promise<Float32Array> {
  const held = loadGlobalModel(ctx.db, version);
  if (held) return held;
  const model = (
    await http.send('GET', `/v1/models/${version}`, null, modelResponse, {
      kind: 'model',
      roundId: null,
      details: { version },
    })
  ).body!;
  return verifyAndStore(ctx, model.version, model.weights, model.sha256);
}

/**
 * Downloads the current version when new. Its accuracy on this bakery's days is not sent: a
 * per-shop figure in the clear would tell the coordinator how this bakery sells.
 */
export async function fetchCurrentModel(
  ctx: ModelContext,
  http: CoordinatorHttp,
  currentVersion: number | null,
): Promise<void> {
  if (currentVersion === null) return;
  if (!loadGlobalModel(ctx.db, currentVersion)) {
    const model = (
      await http.send('GET', '/v1/models/current', null, modelResponse, {
        kind: 'model',
        roundId: null,
        details: { version: currentVersion },
      })
    ).body!;
    verifyAndStore(ctx, model.version, model.weights, model.sha256);
    currentVersion = model.version;
  }
  updateSyncState(ctx.db, { modelVersion: currentVersion });
}

function verifyAndStore(
  ctx: ModelContext,
  version: number,
  encoded: string,
  sha256: string,
): Float32Array {
  const weights = decodeFloat32(encoded);
  if (weightsHash(weights) !== sha256)
    throw new SyncError(
      'bad-model',
      `Model version ${version} arrived damaged (hash mismatch); it will be downloaded again.`,
      true,
    );
  storeGlobalModel(ctx.db, version, weights, ctx.now());
  return weights;
}
