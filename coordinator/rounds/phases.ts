import type { Logger } from 'pino';
import type { RoundPhase, RoundSettings } from '../../federated/protocol/index.ts';
import type { Sql } from '../store/sql.ts';
import type { RoundRow } from '../store/rounds.ts';

/**
 * The seams secure aggregation plugs into. A round runs through `open`, the phases of its
 * mode, then `aggregating` → `published` (or `failed` from any phase). Each phase with a
 * deadline has a handler; the engine persists every transition before acting on it.
 */
export type PhaseContext = {
  /** The transaction the engine runs the handler in (the store itself for `isComplete`). */
  db: Sql;
  log: Logger;
  now: Date;
  round: RoundRow;
  settings: RoundSettings;
};

export type PhaseOutcome = { ok: true; next?: RoundPhase } | { ok: false; reason: string };

export interface PhaseHandler {
  /** Runs inside the transaction that moved the round into this phase. */
  enter?(ctx: PhaseContext): Promise<void>;
  /** Checked after each accepted shop request: true ends the phase before its deadline. */
  isComplete?(ctx: PhaseContext): Promise<boolean>;
  /**
   * The deadline passed (or the operator closed the phase): go on, or fail with a reason. Runs
   * inside the transaction that holds the round's row and leaves the phase.
   */
  onDeadline(ctx: PhaseContext): Promise<PhaseOutcome>;
}

/** What aggregation produces for the server optimizer: the mean update over the survivors. */
export type AggregateResult =
  | { ok: true; averageDelta: Float64Array; contributors: number; totalWeight: number }
  | { ok: false; reason: string };

export interface Aggregator {
  /** Runs inside the publishing transaction; must be deterministic so a restart can redo it. */
  aggregate(ctx: PhaseContext, global: Float32Array): Promise<AggregateResult>;
}

export type RoundMode = {
  name: RoundSettings['mode'];
  /** Phases between `open` and `aggregating`, in order. */
  phases: readonly RoundPhase[];
  handlers: Partial<Record<RoundPhase, PhaseHandler>>;
  aggregator: Aggregator;
};

export function phaseSeconds(settings: RoundSettings, phase: RoundPhase): number | null {
  switch (phase) {
    case 'open':
      return settings.deadlines.openSeconds;
    case 'advertise':
      return settings.deadlines.advertiseSeconds;
    case 'share':
      return settings.deadlines.shareSeconds;
    case 'collect':
      return settings.deadlines.collectSeconds;
    case 'confirm':
      return settings.deadlines.confirmSeconds;
    case 'unmask':
      return settings.deadlines.unmaskSeconds;
    default:
      return null;
  }
}
