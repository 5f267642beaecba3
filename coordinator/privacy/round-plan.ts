import type { RoundConfig } from '../../federated/secagg/round-config.ts';
import { roundPrivacy, type ContributionPlan } from '../../federated/privacy/plan.ts';
import type { DiscreteRound } from '../../federated/privacy/discrete-accountant.ts';
import type { RoundSettings } from '../../federated/protocol/index.ts';
import { contributionPlanOf, secureVectorLength } from '../../federated/secagg/round-http.ts';

/**
 * The noise a round's aggregate really carried: shops add noise shares only in secure rounds,
 * so a plain round counts as no noise whatever its multiplier says.
 */
export function effectiveNoise(settings: Pick<RoundSettings, 'mode' | 'noiseMultiplier'>): number {
  return settings.mode === 'secure' && settings.noiseMultiplier > 0 ? settings.noiseMultiplier : 0;
}

/**
 * The contribution plan a secure round ran with, derived as the shops derived it: from the
 * round's settings, its parameters and the configuration of its signed roster, as its header
 * (coordinator/secagg/state.ts) recorded them; null for a plain round or when the round recorded
 * none (it ended before advertising closed, or its header is unreadable).
 */
export function recordedPlan(
  settings: RoundSettings,
  phaseState: string | null,
): ContributionPlan | null {
  if (settings.mode !== 'secure' || phaseState === null) return null;
  try {
    const header = JSON.parse(phaseState) as {
      version?: unknown;
      params?: { vectorLength?: unknown; modulusBits?: unknown };
      config?: RoundConfig;
    } | null;
    const length = header?.params?.vectorLength;
    const bits = header?.params?.modulusBits;
    if (header?.version !== 2 || !header.config || typeof length !== 'number') return null;
    // The masked vector is the model's parameters plus the plan's extra coordinates.
    const parameterCount = length - secureVectorLength(0, settings);
    return contributionPlanOf(
      settings,
      parameterCount,
      header.config,
      typeof bits === 'number' ? bits : undefined,
    );
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
