import type { Sql } from '../store/sql.ts';
import type { PrivacySummary, PrivacyView } from '../../federated/protocol/operator-views.ts';
import { parseSettings } from './rounds-view.ts';

/**
 * The privacy accountant, handed in by whoever wires the coordinator (federated/privacy's RDP
 * accountant). Given the noisy rounds so far, each with its noise multiplier and
 * sampling rate, it returns the spent epsilon at `delta` after all of them.
 */
export type Accountant = (
  rounds: { noiseMultiplier: number; sampleRate: number }[],
  delta: number,
) => number;

export type PrivacySettings = { delta: number; budget: number | null };

/** δ and the ε budget from the operator's settings, or from the older keys beside them. */
export async function privacySettings(sql: Sql): Promise<PrivacySettings> {
  const read = async (key: string): Promise<unknown> => {
    const row = await sql.get<{ value: string }>('SELECT value FROM settings WHERE key = ?', [key]);
    return row ? (JSON.parse(row.value) as unknown) : undefined;
  };
  const privacy = ((await read('privacy')) ?? {}) as Record<string, unknown>;
  const coordinator = ((await read('coordinator')) ?? {}) as Record<string, unknown>;
  const nested = (coordinator.privacy ?? {}) as Record<string, unknown>;
  const pick = (name: string): number | null => {
    // The operator's settings (PUT /v1/operator/settings → coordinator.privacy) win.
    const value = nested[name] ?? privacy[name] ?? coordinator[name];
    return typeof value === 'number' && Number.isFinite(value) ? value : null;
  };
  return {
    delta: pick('delta') ?? 1e-5,
    budget: pick('budget') ?? pick('privacyBudget') ?? pick('epsilonBudget'),
  };
}

/**
 * The noise a round really carried. Shops add their noise shares only in secure-aggregation
 * rounds; a plain round sends clipped updates without noise whatever the multiplier says, so
 * counting its multiplier would claim a guarantee that does not exist.
 */
export function effectiveNoise(settings: Record<string, unknown>): number {
  if (settings.mode !== 'secure') return 0;
  const z = settings.noiseMultiplier;
  return typeof z === 'number' && Number.isFinite(z) && z > 0 ? z : 0;
}

type NoisyRound = {
  id: number;
  closedAt: string | null;
  noiseMultiplier: number;
  sampleRate: number;
};

/**
 * Published rounds with their noise. Every enrolled shop is asked every round (no subsampling),
 * so the sampling rate is 1: the accountant then takes the worst case, the honest figure.
 */
async function publishedRounds(sql: Sql): Promise<NoisyRound[]> {
  type Row = { id: number; settings: string; closed_at: string | null };
  const rows = await sql.all<Row>(
    "SELECT id, settings, closed_at FROM rounds WHERE phase = 'published' ORDER BY id",
  );
  return rows.map((row) => {
    const z = effectiveNoise(parseSettings(row.settings));
    return { id: row.id, closedAt: row.closed_at, noiseMultiplier: z, sampleRate: 1 };
  });
}

export async function privacyView(
  sql: Sql,
  accountant: Accountant | undefined,
): Promise<PrivacyView> {
  const settings = await privacySettings(sql);
  const rounds = await publishedRounds(sql);
  const withoutNoise = rounds.filter((round) => round.noiseMultiplier <= 0).length;
  const empty: PrivacySummary = {
    available: false,
    epsilonTotal: null,
    epsilonLastRound: null,
    delta: settings.delta,
    budget: settings.budget,
    roundsCounted: 0,
    roundsWithoutNoise: withoutNoise,
    exhausted: false,
  };
  if (rounds.length === 0) return { summary: empty, series: [] };
  if (!accountant) return { summary: { ...empty, roundsCounted: rounds.length }, series: [] };
  // A published round without noise gives no differential-privacy guarantee at all: epsilon is
  // unbounded from then on, so the figures stop being meaningful and the dashboard says so.
  if (withoutNoise > 0) return { summary: empty, series: [] };
  const series: PrivacyView['series'] = [];
  rounds.forEach((round, index) => {
    const step = { noiseMultiplier: round.noiseMultiplier, sampleRate: round.sampleRate };
    series.push({
      round: round.id,
      closedAt: round.closedAt,
      epsilonRound: accountant([step], settings.delta),
      epsilonTotal: accountant(
        rounds
          .slice(0, index + 1)
          .map((r) => ({ noiseMultiplier: r.noiseMultiplier, sampleRate: r.sampleRate })),
        settings.delta,
      ),
    });
  });
  const last = series.at(-1)!;
  return {
    summary: {
      available: true,
      epsilonTotal: last.epsilonTotal,
      epsilonLastRound: last.epsilonRound,
      delta: settings.delta,
      budget: settings.budget,
      roundsCounted: series.length,
      roundsWithoutNoise: 0,
      exhausted: settings.budget !== null && last.epsilonTotal >= settings.budget,
    },
    series,
  };
}
