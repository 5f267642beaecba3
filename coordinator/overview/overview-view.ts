import { flag, type Sql } from '../store/sql.ts';
import type { OverviewView } from '../../federated/protocol/operator-views.ts';
import { modelsView } from './models-view.ts';
import { participationByDay } from './participation.ts';
import { privacyView } from './privacy-view.ts';
import { loadCoordinatorSettings } from '../store/settings.ts';
import { countsOf, isFinished, parseSettings, roundRow, type StoredRound } from './rounds-view.ts';

const dayMs = 24 * 3600 * 1000;

export async function overviewView(
  sql: Sql,
  options: { now: Date; nextRoundAt: Date | null; schedulerRunning: boolean },
): Promise<OverviewView> {
  const { now } = options;
  const latest = await sql.get<StoredRound>('SELECT * FROM rounds ORDER BY id DESC LIMIT 1');
  const running = latest && !isFinished(latest.phase) ? latest : undefined;
  const finished = running
    ? await sql.get<StoredRound>('SELECT * FROM rounds WHERE id < ? ORDER BY id DESC LIMIT 1', [
        running.id,
      ])
    : latest;

  let tonight: OverviewView['tonight'] = null;
  if (running) {
    const counts = await countsOf(sql, running.id);
    const settings = parseSettings(running.settings);
    tonight = {
      roundId: running.id,
      phase: running.phase,
      openedAt: running.opened_at,
      phaseDeadline: running.phase_deadline,
      minimumShops: typeof settings.minShops === 'number' ? settings.minShops : null,
      checkedIn: counts.participants,
      uploaded: counts.uploaded,
      dropped: counts.dropouts,
    };
  }

  const shops = (await sql.get<{ enrolled: number; revoked: number; online: number }>(
    `SELECT COALESCE(SUM(${flag('revoked_at IS NULL')}), 0) AS enrolled,
            COALESCE(SUM(${flag('revoked_at IS NOT NULL')}), 0) AS revoked,
            COALESCE(SUM(${flag('revoked_at IS NULL AND last_seen_at >= ?')}), 0) AS online
     FROM shops`,
    [new Date(now.getTime() - dayMs).toISOString()],
  ))!;

  const models = await modelsView(sql);
  const current = models.models.find((model) => model.current) ?? null;
  const errorTrend = models.models
    .filter((model) => model.metrics.wape !== undefined)
    .map((model) => ({ version: model.version, round: model.round, error: model.metrics.wape! }))
    .reverse();

  const lastRow = finished ? await roundRow(sql, finished) : null;
  return {
    generatedAt: now.toISOString(),
    tonight,
    lastRound: lastRow && {
      roundId: lastRow.id,
      outcome: lastRow.outcome,
      closedAt: lastRow.closedAt,
      participants: lastRow.uploaded,
    },
    nextRoundAt: running ? null : (options.nextRoundAt?.toISOString() ?? null),
    schedule: {
      cron: (await loadCoordinatorSettings(sql)).schedule,
      running: options.schedulerRunning,
    },
    shops: { enrolled: shops.enrolled, revoked: shops.revoked, onlineLast24h: shops.online },
    model: current && {
      version: current.version,
      createdAt: current.createdAt,
      round: current.round,
    },
    errorMetric: errorTrend.length > 0 ? 'wape' : null,
    errorTrend,
    privacy: (await privacyView(sql)).summary,
    participationByDay: await participationByDay(sql),
  };
}
