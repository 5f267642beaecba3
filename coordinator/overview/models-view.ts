import type { Sql } from '../store/sql.ts';
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

export async function currentVersion(sql: Sql): Promise<number | null> {
  const row = await sql.get<{ value: string }>(
    "SELECT value FROM settings WHERE key = 'current_model_version'",
  );
  if (row) return Number(JSON.parse(row.value));
  return (await sql.get<{ v: number | null }>('SELECT MAX(version) AS v FROM models'))?.v ?? null;
}

export async function modelsView(sql: Sql): Promise<ModelsView> {
  const current = await currentVersion(sql);
  const rows = await sql.all<StoredModel>(
    `SELECT m.version, m.round_id, m.sha256, m.created_at, x.reports, x.n, x.pinball_sum, x.wape_sum
     FROM models m LEFT JOIN model_metrics x ON x.version = m.version
     ORDER BY m.version DESC`,
  );
  const models = rows.map((model) => {
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
