import type { RoundPrivacy } from '../../federated/protocol/operator-views.ts';
import type { ContributionPlan } from '../../federated/privacy/plan.ts';
import type { RoundSettings } from '../../federated/protocol/index.ts';
import { effectiveNoise } from './round-plan.ts';

type StoredSecAgg = {
  params?: { threshold?: unknown };
  roster?: unknown[];
  unmaskRequest?: { survivors?: unknown[] };
  sum?: unknown;
};

const count = (value: unknown): number | null => (Array.isArray(value) ? value.length : null);

/**
 * What the coordinator could see of one round: the settings it ran with, and from its own
 * records the threshold and roster of a secure round and how many updates the sum held, and
 * from the plan it ran with the colluders its noise was sized for.
 */
export function roundPrivacy(
  settings: RoundSettings,
  phaseState: string | null,
  plan: ContributionPlan | null,
  plainUpdates: number,
  published: boolean,
): RoundPrivacy {
  const base = {
    mode: settings.mode,
    noiseMultiplier: effectiveNoise(settings),
    clipNorm: settings.clipNorm,
  };
  if (settings.mode === 'plain')
    return {
      ...base,
      threshold: null,
      colluders: null,
      rosterSize: null,
      summed: plainUpdates > 0 ? plainUpdates : null,
      released: published || plainUpdates > 0,
    };
  let state: StoredSecAgg;
  try {
    state = (JSON.parse(phaseState ?? '{}') as StoredSecAgg | null) ?? {};
  } catch {
    state = {};
  }
  const threshold = state.params?.threshold;
  const unmasked = Boolean(state.sum);
  return {
    ...base,
    threshold: typeof threshold === 'number' ? threshold : null,
    colluders: plan?.shape.colluders ?? null,
    rosterSize: count(state.roster),
    summed: unmasked ? count(state.unmaskRequest?.survivors) : null,
    released: published || unmasked,
  };
}
