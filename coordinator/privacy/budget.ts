import { budgetEpsilon, emptyBudget, spendRound } from '../../federated/privacy/accountant.ts';
import type { PrivacyBudgetSettings, RoundSettings } from '../../federated/protocol/index.ts';
import { finishedRounds, type FinishedRound } from '../store/privacy.ts';
import type { Sql } from '../store/sql.ts';

/**
 * The noise a round's aggregate really carried: shops add noise shares only in secure rounds,
 * so a plain round counts as no noise whatever its multiplier says.
 */
export function effectiveNoise(settings: Pick<RoundSettings, 'mode' | 'noiseMultiplier'>): number {
  return settings.mode === 'secure' && settings.noiseMultiplier > 0 ? settings.noiseMultiplier : 0;
}

/**
 * Epsilon of these rounds at delta, every shop in every round (q = 1, the worst case, which is
 * how rounds run); null when any carried no noise: then no bound holds.
 */
export function epsilonOf(noise: readonly number[], delta: number): number | null {
  if (noise.some((z) => !(z > 0))) return null;
  return budgetEpsilon(
    noise.reduce(
      (budget, noiseMultiplier) => spendRound(budget, { noiseMultiplier }),
      emptyBudget(),
    ),
    delta,
  );
}

/** The rounds the budget is charged with: every one that released an aggregate. */
export async function chargedRounds(sql: Sql): Promise<FinishedRound[]> {
  return (await finishedRounds(sql)).filter((round) => round.released);
}

/**
 * Why a round with these settings may not open under the operator's budget, or null. A round
 * without noise has no bound at all, so none opens while a budget is set; nor does any once an
 * unbounded round has been charged; nor one that would take epsilon past the budget.
 */
export async function budgetRefusal(
  sql: Sql,
  settings: Pick<RoundSettings, 'mode' | 'noiseMultiplier'>,
  privacy: PrivacyBudgetSettings,
): Promise<string | null> {
  const { budget, delta } = privacy;
  if (budget === null) return null;
  if (effectiveNoise(settings) === 0)
    return settings.mode === 'plain'
      ? `a privacy budget (epsilon ${budget}) is set and a plain round adds no noise, so its privacy loss has no bound; use secure rounds with noise, or remove the budget`
      : `a privacy budget (epsilon ${budget}) is set and this round's noise multiplier is 0, so its privacy loss has no bound`;
  const charged = await chargedRounds(sql);
  const unbounded = charged.find((round) => effectiveNoise(round.settings) === 0);
  if (unbounded)
    return `a privacy budget (epsilon ${budget}) is set, but round ${unbounded.id} released an aggregate without noise, so the privacy loss so far has no bound; no round can open while the budget is set`;
  const spent = epsilonOf(
    [...charged.map((r) => effectiveNoise(r.settings)), effectiveNoise(settings)],
    delta,
  )!;
  if (spent <= budget) return null;
  return `this round would bring the privacy budget spent to epsilon ${spent.toFixed(2)}, above the total budget of ${budget}; rounds stop until the operator raises it`;
}

/** Epsilon after each of these rounds in turn (composed incrementally); null once one had no noise. */
export function epsilonSeries(noise: readonly number[], delta: number): number[] | null {
  if (noise.some((z) => !(z > 0))) return null;
  let budget = emptyBudget();
  return noise.map((noiseMultiplier) => {
    budget = spendRound(budget, { noiseMultiplier });
    return budgetEpsilon(budget, delta);
  });
}
