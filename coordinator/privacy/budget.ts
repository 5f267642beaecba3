import { budgetEpsilon, emptyBudget } from '../../federated/privacy/accountant.ts';
import {
  spendDiscreteRound,
  type DiscreteRound,
} from '../../federated/privacy/discrete-accountant.ts';
import type { PrivacyBudgetSettings, RoundSettings } from '../../federated/protocol/index.ts';
import { finishedRounds, type FinishedRound } from '../store/privacy.ts';
import type { Sql } from '../store/sql.ts';
import { effectiveNoise, recordedPlan, roundCharge } from './round-plan.ts';

export { effectiveNoise } from './round-plan.ts';

export type ChargedRound = FinishedRound & { charge: DiscreteRound };

/**
 * Epsilon of these rounds at delta on the distributed discrete Gaussian accountant, every shop
 * in every round (q = 1, the worst case, which is how rounds run); null when any carried no
 * noise: then no bound holds.
 */
export function epsilonOf(charges: readonly DiscreteRound[], delta: number): number | null {
  const series = epsilonSeries(charges, delta);
  return series === null ? null : (series.at(-1) ?? 0);
}

/** Epsilon after each of these rounds in turn (composed incrementally); null once one had no noise. */
export function epsilonSeries(charges: readonly DiscreteRound[], delta: number): number[] | null {
  if (charges.some((round) => !(round.noiseMultiplier > 0))) return null;
  let budget = emptyBudget();
  return charges.map((round) => {
    budget = spendDiscreteRound(budget, round);
    return budgetEpsilon(budget, delta);
  });
}

/** The rounds the budget is charged with: every one that released an aggregate, at its plan. */
export async function chargedRounds(sql: Sql): Promise<ChargedRound[]> {
  return (await finishedRounds(sql))
    .filter((round) => round.released)
    .map((round) => ({
      ...round,
      charge: roundCharge(round.settings, recordedPlan(round.settings, round.phaseState)),
    }));
}

/**
 * Why a round with these settings may not open under the operator's budget, or null. A round
 * without noise has no bound at all, so none opens while a budget is set; nor does any once an
 * unbounded round has been charged; nor one that would take epsilon past the budget. The round
 * not yet run is charged at its plan when the caller knows it, else as one discrete Gaussian
 * of its multiplier.
 */
export async function budgetRefusal(
  sql: Sql,
  settings: Pick<RoundSettings, 'mode' | 'noiseMultiplier'>,
  privacy: PrivacyBudgetSettings,
  plan: Parameters<typeof roundCharge>[1] = null,
): Promise<string | null> {
  const { budget, delta } = privacy;
  if (budget === null) return null;
  if (effectiveNoise(settings) === 0)
    return settings.mode === 'plain'
      ? `a privacy budget (epsilon ${budget}) is set and a plain round adds no noise, so its privacy loss has no bound; use secure rounds with noise, or remove the budget`
      : `a privacy budget (epsilon ${budget}) is set and this round's noise multiplier is 0, so its privacy loss has no bound`;
  const charged = await chargedRounds(sql);
  const unbounded = charged.find((round) => round.charge.noiseMultiplier === 0);
  if (unbounded)
    return `a privacy budget (epsilon ${budget}) is set, but round ${unbounded.id} released an aggregate without noise, so the privacy loss so far has no bound; no round can open while the budget is set`;
  const spent = epsilonOf(
    [...charged.map((round) => round.charge), roundCharge(settings, plan)],
    delta,
  )!;
  if (spent <= budget) return null;
  return `this round would bring the privacy budget spent to epsilon ${spent.toFixed(2)}, above the total budget of ${budget}; rounds stop until the operator raises it`;
}
