import { featureSpec } from '../../federated/features/spec.ts';
import type { Db } from '../store/database.ts';
import { bytesOfFloat32, float32FromBytes, weightsHash } from '../../federated/protocol/index.ts';

/**
 * Global versions downloaded from the coordinator, kept in the shop's model_versions table
 * (source 'global', inactive): the forecast side decides which model it uses.
 */
export function storeGlobalModel(db: Db, version: number, weights: Float32Array, now: Date): void {
  const exists = db
    .prepare("SELECT 1 FROM model_versions WHERE source = 'global' AND global_version = ?")
    .get(version);
  if (exists) return;
  db.prepare(
    `INSERT INTO model_versions (source, global_version, feature_spec, weights, weights_hash, created_at, active)
     VALUES ('global', ?, ?, ?, ?, ?, 0)`,
  ).run(
    version,
    featureSpec.version,
    bytesOfFloat32(weights),
    weightsHash(weights),
    now.toISOString(),
  );
}

export function loadGlobalModel(db: Db, version: number): Float32Array | null {
  const row = db
    .prepare<[number], { weights: Buffer; weights_hash: string }>(
      "SELECT weights, weights_hash FROM model_versions WHERE source = 'global' AND global_version = ? ORDER BY id DESC LIMIT 1",
    )
    .get(version);
  if (!row) return null;
  const weights = float32FromBytes(row.weights);
  return weightsHash(weights) === row.weights_hash ? weights : null;
}
