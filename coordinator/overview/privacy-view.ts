import type { PrivacySummary, PrivacyView } from '../../federated/protocol/operator-views.ts';
import { chargedRounds, epsilonOf, epsilonSeries } from '../privacy/budget.ts';
import { loadCoordinatorSettings } from '../store/settings.ts';
import type { Sql } from '../store/sql.ts';

/**
 * The consortium's privacy budget as the budget stop counts it: every round that released an
 * aggregate (published, or failed after its sum was unmasked or, plain, after an update arrived),
 * each charged at the plan it ran with on the discrete Gaussian accountant, composed at the
 * settings' delta with q = 1.
 */
export async function privacyView(sql: Sql): Promise<PrivacyView> {
  const { delta, budget } = (await loadCoordinatorSettings(sql)).privacy;
  const rounds = await chargedRounds(sql);
  const charges = rounds.map((round) => round.charge);
  const totals = epsilonSeries(charges, delta);
  const empty: PrivacySummary = {
    available: false,
    epsilonTotal: null,
    epsilonLastRound: null,
    delta,
    budget,
    roundsCounted: rounds.length,
    roundsWithoutNoise: charges.filter((charge) => charge.noiseMultiplier === 0).length,
    exhausted: false,
  };
  // A round without noise gives no differential-privacy guarantee at all: epsilon is unbounded
  // from then on, so the figures stop being meaningful and the dashboard says so.
  if (rounds.length === 0 || totals === null) return { summary: empty, series: [] };
  const series: PrivacyView['series'] = rounds.map((round, index) => ({
    round: round.id,
    closedAt: round.closedAt,
    epsilonRound: epsilonOf([charges[index]!], delta)!,
    epsilonTotal: totals[index]!,
  }));
  const last = series.at(-1)!;
  return {
    summary: {
      ...empty,
      available: true,
      epsilonTotal: last.epsilonTotal,
      epsilonLastRound: last.epsilonRound,
      exhausted: budget !== null && last.epsilonTotal >= budget,
    },
    series,
  };
}
