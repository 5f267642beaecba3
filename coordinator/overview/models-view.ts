import type { Db } from '../../federated/storage/sqlite.ts';
import type { ModelsView } from '../../federated/protocol/operator-views.ts';

type StoredModel = {
  version: number;
  round_id: number | null;
  sha256: string;
  created_at: string;
  reports: number | null;
  n: number | null;
  pinball_sum: number | null;
  wape_sum: number | null;
};

/** The aggregate figures the model_metrics sums give: sample-weighted means over reporting shops. */
export const metricNames = ['wape', 'pinball'] as const;

/**
 * An "average" over one shop is that shop's own accuracy, so figures appear only once at
 * least this many shops have reported on a version.
 */
export const minimumReportsShown = 2;

export function aggregateMetrics(sums: {
  reports: number | null;
  n: number | null;
  pinball_sum: number | null;
  wape_sum: number | null;
}): Record<string, number> {
  if (!sums.n || sums.n <= 0 || (sums.reports ?? 0) < minimumReportsShown) return {};
  return { wape: (sums.wape_sum ?? 0) / sums.n, pinball: (sums.pinball_sum ?? 0) / sums.n };
}

export function currentVersion(db: Db): number | null {
  const row = db
    .prepare<[], { value: string }>(
      "SELECT value FROM settings WHERE key = 'current_model_version'",
    )
    .get();
  if (row) return Number(JSON.parse(row.value));
  return (
    db.prepare<[], { v: number | null }>('SELECT MAX(version) AS v FROM models').get()?.v ?? null
  );
}

export function modelsView(db: Db): ModelsView {
  const current = currentVersion(db);
  const models = db
    .prepare<[], StoredModel>(
      `SELECT m.version, m.round_id, m.sha256, m.created_at, x.reports, x.n, x.pinball_sum, x.wape_sum
       FROM models m LEFT JOIN model_metrics x ON x.version = m.version
       ORDER BY m.version DESC`,
    )
    .all()
    .map((model) => {
      const metrics = aggregateMetrics(model);
      return {
        version: model.version,
        round: model.round_id,
        createdAt: model.created_at,
        current: model.version === current,
        contentHash: model.sha256,
        shopsReporting: model.reports ?? 0,
        metrics,
      };
    });
  return { current, metricNames: [...metricNames], models };
}
