import type { RoundPrivacy } from '../../federated/protocol/operator-views.ts';
import type { ContributionPlan } from '../../federated/privacy/plan.ts';
import type { RoundSettings } from '../../federated/protocol/index.ts';
import { effectiveNoise } from './round-plan.ts';

/** What the secure round's header (coordinator/secagg/state.ts) says, read defensively. */
type StoredHeader = {
  version?: unknown;
  config?: RoundPrivacy['configuration'];
  roster?: unknown[];
  survivors?: unknown[];
  sum?: unknown;
};

const count = (value: unknown): number | null => (Array.isArray(value) ? value.length : null);

/**
 * What the coordinator could see of one round: the settings it ran with, and from its own
 * records the configuration of a secure round (roster, colluders, thresholds, graph) and how
 * many updates the sum held; the colluders its noise was sized for come from that configuration,
 * else from the plan it ran with.
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
      configuration: null,
    };
  let state: StoredHeader;
  try {
    state = (JSON.parse(phaseState ?? '{}') as StoredHeader | null) ?? {};
  } catch {
    state = {};
  }
  const unmasked = Boolean(state.sum);
  const configuration = state.version === 2 && state.config ? state.config : null;
  return {
    ...base,
    threshold: configuration?.minSurvivors ?? null,
    colluders: configuration?.colluders ?? plan?.shape.colluders ?? null,
    rosterSize: count(state.roster),
    summed: unmasked ? count(state.survivors) : null,
    released: published || unmasked,
    configuration,
  };
}
