import { createHash } from 'node:crypto';
import { featureSpec } from '../../federated/features/spec.ts';
import { parameterCount } from '../../federated/model/shape.ts';
import type { Db } from '../store/database.ts';
import type { ForecastModel, ModelMember } from './forecast-model.ts';

export type StoredModel = {
  id: number;
  source: 'local' | 'global' | 'adapted';
  globalVersion: number | null;
  featureSpecVersion: string;
  weights: Float32Array;
  weightsHash: string;
  backend: string;
  createdAt: string;
  metrics: Record<string, unknown> | null;
  /** The networks whose forecasts are averaged (null: `weights` alone forecasts). */
  members: ModelMember[] | null;
};

/** What forecasts with a stored model. */
export const forecastModelOf = (model: StoredModel): ForecastModel =>
  model.members ?? model.weights;

type ModelRow = {
  id: number;
  source: StoredModel['source'];
  global_version: number | null;
  feature_spec: string;
  weights: Buffer;
  weights_hash: string;
  backend: string | null;
  created_at: string;
  metrics: string | null;
};

export function weightsHash(weights: Float32Array): string {
  return createHash('sha256')
    .update(new Uint8Array(weights.buffer, weights.byteOffset, weights.byteLength))
    .digest('hex');
}

function floats(blob: Buffer): Float32Array {
  const bytes = new Uint8Array(blob);
  return new Float32Array(
    bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength),
  );
}

const blob = (weights: Float32Array) =>
  Buffer.from(weights.buffer, weights.byteOffset, weights.byteLength);

function fromRow(db: Db, row: ModelRow): StoredModel {
  const weights = floats(row.weights);
  const memberRows = db
    .prepare(
      'SELECT weights, share FROM model_members WHERE model_version_id = ? ORDER BY position',
    )
    .all(row.id) as { weights: Buffer; share: number }[];
  return {
    id: row.id,
    source: row.source,
    globalVersion: row.global_version,
    featureSpecVersion: row.feature_spec,
    weights,
    weightsHash: row.weights_hash,
    backend: row.backend ?? 'unknown',
    createdAt: row.created_at,
    metrics: row.metrics ? (JSON.parse(row.metrics) as Record<string, unknown>) : null,
    members:
      memberRows.length > 0
        ? memberRows.map((m) => ({ weights: floats(m.weights), share: m.share }))
        : null,
  };
}

/**
 * The model forecasts use: the active version, if it was made for this feature spec and this
 * network shape (a model from an older app version is ignored rather than misread).
 */
export function activeModel(db: Db): StoredModel | null {
  const row = db
    .prepare('SELECT * FROM model_versions WHERE active = 1 ORDER BY id DESC LIMIT 1')
    .get() as ModelRow | undefined;
  if (!row || row.feature_spec !== featureSpec.version) return null;
  const model = fromRow(db, row);
  const size = parameterCount();
  return model.weights.length === size &&
    (model.members ?? []).every((m) => m.weights.length === size)
    ? model
    : null;
}

export type FinishedRun = {
  startedAt: string;
  finishedAt: string;
  trigger: 'schedule' | 'catch-up' | 'manual' | 'cli';
  backend: string;
  samples: number;
  epochs: number;
  lossBefore: number;
  lossAfter: number;
};

/**
 * Stores a trained model, makes it active and records its run — one transaction, so a crash
 * anywhere before leaves the previous model active and no half-written version behind. A model
 * of several networks is stored with its members; its row's weights are the first member's.
 */
export function saveTrainedModel(
  db: Db,
  model: {
    weights: ForecastModel;
    source?: StoredModel['source'];
    globalVersion?: number | null;
    metrics?: unknown;
  },
  run: FinishedRun,
): { modelVersionId: number; runId: number } {
  return db.transaction(() => {
    db.prepare('UPDATE model_versions SET active = 0 WHERE active = 1').run();
    const members = model.weights instanceof Float32Array ? null : model.weights;
    const first = members ? members[0]?.weights : (model.weights as Float32Array);
    if (!first) throw new RangeError('a model needs a network');
    const version = db
      .prepare(
        `INSERT INTO model_versions (source, global_version, feature_spec, weights, weights_hash, metrics, backend, created_at, active)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, 1)`,
      )
      .run(
        model.source ?? 'local',
        model.globalVersion ?? null,
        featureSpec.version,
        blob(first),
        weightsHash(first),
        model.metrics === undefined ? null : JSON.stringify(model.metrics),
        run.backend,
        run.finishedAt,
      );
    const modelVersionId = Number(version.lastInsertRowid);
    const member = db.prepare(
      'INSERT INTO model_members (model_version_id, position, weights, share) VALUES (?, ?, ?, ?)',
    );
    members?.forEach((m, i) => member.run(modelVersionId, i, blob(m.weights), m.share));
    const runRow = db
      .prepare(
        `INSERT INTO training_runs (started_at, finished_at, status, trigger, backend, samples, epochs, loss_before, loss_after, model_version_id)
         VALUES (?, ?, 'succeeded', ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(
        run.startedAt,
        run.finishedAt,
        run.trigger,
        run.backend,
        run.samples,
        run.epochs,
        run.lossBefore,
        run.lossAfter,
        modelVersionId,
      );
    return { modelVersionId, runId: Number(runRow.lastInsertRowid) };
  })();
}

/** A run that ended without a model: recorded so the app can say why; no model row changes. */
export function recordUnfinishedRun(
  db: Db,
  run: {
    startedAt: string;
    finishedAt: string;
    trigger: FinishedRun['trigger'];
    status: 'failed' | 'cancelled';
    error: string;
    backend?: string | null;
  },
): number {
  const result = db
    .prepare(
      `INSERT INTO training_runs (started_at, finished_at, status, trigger, backend, error) VALUES (?, ?, ?, ?, ?, ?)`,
    )
    .run(run.startedAt, run.finishedAt, run.status, run.trigger, run.backend ?? null, run.error);
  return Number(result.lastInsertRowid);
}

export type RunRow = {
  id: number;
  started_at: string;
  finished_at: string | null;
  status: 'running' | 'succeeded' | 'failed' | 'cancelled';
  trigger: FinishedRun['trigger'];
  backend: string | null;
  samples: number | null;
  epochs: number | null;
  loss_before: number | null;
  loss_after: number | null;
  error: string | null;
};

export function lastRun(db: Db): RunRow | null {
  return (
    (db.prepare('SELECT * FROM training_runs ORDER BY id DESC LIMIT 1').get() as
      RunRow | undefined) ?? null
  );
}
