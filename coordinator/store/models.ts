import {
  bytesOfFloat32,
  float32FromBytes,
  weightsHash,
  type RoundSettings,
} from '../../federated/protocol/index.ts';
import type { Db } from './database.ts';
import { getSetting, putSetting } from './settings.ts';

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

export function insertModel(
  db: Db,
  model: {
    weights: Float32Array;
    roundId: number | null;
    parentVersion: number | null;
    settings: RoundSettings | null;
  },
  now: Date,
): ModelRow {
  const version =
    (db.prepare<[], { v: number | null }>('SELECT MAX(version) AS v FROM models').get()?.v ?? 0) +
    1;
  const row: ModelRow = {
    version,
    round_id: model.roundId,
    parent_version: model.parentVersion,
    parameter_count: model.weights.length,
    weights: bytesOfFloat32(model.weights),
    sha256: weightsHash(model.weights),
    settings: model.settings ? JSON.stringify(model.settings) : null,
    created_at: now.toISOString(),
  };
  db.prepare(
    `INSERT INTO models (version, round_id, parent_version, parameter_count, weights, sha256, settings, created_at)
     VALUES (@version, @round_id, @parent_version, @parameter_count, @weights, @sha256, @settings, @created_at)`,
  ).run(row);
  return row;
}

export function getModel(db: Db, version: number): ModelRow | undefined {
  return db.prepare<[number], ModelRow>('SELECT * FROM models WHERE version = ?').get(version);
}

export function modelWeights(row: ModelRow): Float32Array {
  return float32FromBytes(row.weights);
}

export function currentModelVersion(db: Db): number | null {
  return getSetting<number>(db, 'current_model_version') ?? null;
}

export function setCurrentModelVersion(db: Db, version: number): void {
  putSetting(db, 'current_model_version', version);
}

export function listModels(db: Db): Omit<ModelRow, 'weights'>[] {
  return db
    .prepare<[], Omit<ModelRow, 'weights'>>(
      'SELECT version, round_id, parent_version, parameter_count, sha256, settings, created_at FROM models ORDER BY version DESC',
    )
    .all();
}

export type MetricsRow = {
  version: number;
  reports: number;
  n: number;
  pinball_sum: number;
  wape_sum: number;
};

export function metricsOf(db: Db, version: number): MetricsRow | undefined {
  return db
    .prepare<[number], MetricsRow>('SELECT * FROM model_metrics WHERE version = ?')
    .get(version);
}

/**
 * Adds one shop's evaluation to the version's sums. One report per shop and version: a retry of
 * the same report is a no-op, a different second one is refused by the caller.
 */
export function recordMetrics(
  db: Db,
  report: {
    version: number;
    shopId: string;
    n: number;
    pinball: number;
    wape: number;
    payloadSha256: string;
  },
  now: Date,
): 'recorded' | 'duplicate' | 'conflict' {
  return db.transaction(() => {
    const previous = db
      .prepare<[number, string], { payload_sha256: string }>(
        'SELECT payload_sha256 FROM metric_reports WHERE version = ? AND shop_id = ?',
      )
      .get(report.version, report.shopId);
    if (previous)
      return previous.payload_sha256 === report.payloadSha256 ? 'duplicate' : 'conflict';
    db.prepare(
      'INSERT INTO metric_reports (version, shop_id, payload_sha256, reported_at) VALUES (?, ?, ?, ?)',
    ).run(report.version, report.shopId, report.payloadSha256, now.toISOString());
    db.prepare(
      `INSERT INTO model_metrics (version, reports, n, pinball_sum, wape_sum) VALUES (?, 1, ?, ?, ?)
       ON CONFLICT(version) DO UPDATE SET reports = reports + 1, n = n + excluded.n,
         pinball_sum = pinball_sum + excluded.pinball_sum, wape_sum = wape_sum + excluded.wape_sum`,
    ).run(report.version, report.n, report.n * report.pinball, report.n * report.wape);
    return 'recorded' as const;
  })();
}
