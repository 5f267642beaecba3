import {
  bytesOfFloat32,
  float32FromBytes,
  weightsHash,
  type RoundSettings,
} from '../../federated/protocol/index.ts';
import { getSetting, putSetting } from './settings.ts';
import type { Sql, Tx } from './sql.ts';

export type ModelRow = {
  version: number;
  round_id: number | null;
  parent_version: number | null;
  parameter_count: number;
  weights: Buffer;
  sha256: string;
  settings: string | null;
  created_at: string;
};

/** Stores the next version; the registry lock keeps two coordinators from numbering alike. */
export async function insertModel(
  tx: Tx,
  model: {
    weights: Float32Array;
    roundId: number | null;
    parentVersion: number | null;
    settings: RoundSettings | null;
  },
  now: Date,
): Promise<ModelRow> {
  await tx.lock('models');
  const latest = await tx.get<{ v: number | null }>('SELECT MAX(version) AS v FROM models');
  const row: ModelRow = {
    version: (latest?.v ?? 0) + 1,
    round_id: model.roundId,
    parent_version: model.parentVersion,
    parameter_count: model.weights.length,
    weights: bytesOfFloat32(model.weights),
    sha256: weightsHash(model.weights),
    settings: model.settings ? JSON.stringify(model.settings) : null,
    created_at: now.toISOString(),
  };
  await tx.run(
    `INSERT INTO models (version, round_id, parent_version, parameter_count, weights, sha256, settings, created_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
    [
      row.version,
      row.round_id,
      row.parent_version,
      row.parameter_count,
      row.weights,
      row.sha256,
      row.settings,
      row.created_at,
    ],
  );
  return row;
}

export async function getModel(sql: Sql, version: number): Promise<ModelRow | undefined> {
  return sql.get<ModelRow>('SELECT * FROM models WHERE version = ?', [version]);
}

/** The registry row without its weights (the upload check needs only the size). */
export async function modelShape(
  sql: Sql,
  version: number,
): Promise<{ parameter_count: number } | undefined> {
  return sql.get('SELECT parameter_count FROM models WHERE version = ?', [version]);
}

export function modelWeights(row: ModelRow): Float32Array {
  return float32FromBytes(row.weights);
}

export async function currentModelVersion(sql: Sql): Promise<number | null> {
  return (await getSetting<number>(sql, 'current_model_version')) ?? null;
}

export async function setCurrentModelVersion(sql: Sql, version: number): Promise<void> {
  await putSetting(sql, 'current_model_version', version);
}

export async function listModels(sql: Sql): Promise<Omit<ModelRow, 'weights'>[]> {
  return sql.all(
    'SELECT version, round_id, parent_version, parameter_count, sha256, settings, created_at FROM models ORDER BY version DESC',
  );
}

export type MetricsRow = {
  version: number;
  reports: number;
  n: number;
  pinball_sum: number;
  wape_sum: number;
};

export async function metricsOf(sql: Sql, version: number): Promise<MetricsRow | undefined> {
  return sql.get<MetricsRow>('SELECT * FROM model_metrics WHERE version = ?', [version]);
}
