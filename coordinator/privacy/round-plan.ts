import type { DiscreteRound } from '../../federated/privacy/discrete-accountant.ts';
import { roundPrivacy, type ContributionPlan } from '../../federated/privacy/plan.ts';
import type { RoundSettings } from '../../federated/protocol/index.ts';
import type { RoundConfig } from '../../federated/secagg/round-config.ts';
import { contributionPlanOf, secureVectorLength } from '../../federated/secagg/round-http.ts';
import { secAggParams } from '../../federated/secagg/round-wire.ts';

/**
 * The noise a round's aggregate really carried: shops add noise shares only in secure rounds,
 * so a plain round counts as no noise whatever its multiplier says.
 */
export function effectiveNoise(settings: Pick<RoundSettings, 'mode' | 'noiseMultiplier'>): number {
  return settings.mode === 'secure' && settings.noiseMultiplier > 0 ? settings.noiseMultiplier : 0;
}

/**
 * The contribution plan a secure round ran with, derived as the shops derived it: from the
 * round's settings, the SecAgg parameters it recorded and the configuration of its signed roster
 * (coordinator/secagg/state.ts keeps both in the round's header); null for a plain round or when
 * the round recorded no configuration (it ended before its roster was signed, or its record is
 * unreadable).
 */
export function recordedPlan(
  settings: RoundSettings,
  phaseState: string | null,
): ContributionPlan | null {
  if (settings.mode !== 'secure' || phaseState === null) return null;
  try {
    const header = JSON.parse(phaseState) as { params?: unknown; config?: RoundConfig } | null;
    const params = secAggParams.safeParse(header?.params);
    if (!params.success || !header?.config) return null;
    // The masked vector is the model's parameters plus the extra coordinates of these settings.
    const parameterCount = params.data.vectorLength - secureVectorLength(0, settings);
    return contributionPlanOf(settings, parameterCount, header.config, params.data.modulusBits);
  } catch {
    return null;
  }
}

/**
 * What one released round costs on the distributed discrete Gaussian accountant the shops'
 * noise follows: its plan's honest noise multiplier, τ and dimension. A secure round with noise
 * but no recorded plan is charged as one discrete Gaussian of its multiplier (τ = 0), whose
 * Rényi DP is α/(2z²) (Canonne, Kamath, Steinke 2020); with the grids secure rounds use, τ
 * underflows to 0 anyway (docs/privacy.md). No noise: multiplier 0, which the accountant
 * charges as unbounded.
 */
export function roundCharge(
  settings: Pick<RoundSettings, 'mode' | 'noiseMultiplier'>,
  plan: ContributionPlan | null,
): DiscreteRound {
  const z = effectiveNoise(settings);
  if (z === 0) return { noiseMultiplier: 0, tau: 0, dimension: 1 };
  return plan ? roundPrivacy(plan) : { noiseMultiplier: z, tau: 0, dimension: 1 };
}
