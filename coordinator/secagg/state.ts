import { SecAggError, type SecAggParams, type ServerState } from '../../federated/secagg/index.ts';
import {
  SECAGG_MODULUS_BITS,
  secaggThresholdFor,
  secureVectorLength,
} from '../../federated/secagg/wire.ts';
import { minimumThreshold, type RoundSettings } from '../../federated/protocol/index.ts';
import { CoordinatorError } from '../errors.ts';
import type { Sql } from '../store/sql.ts';
import { getRound, setPhaseState, type RoundRow } from '../store/rounds.ts';

/**
 * A secure round keeps its whole SecAgg server state as JSON in `rounds.phase_state`, written
 * in the same transaction that accepts a message, so a restart resumes exactly.
 */
export function loadSecAggState(round: RoundRow): ServerState | null {
  return round.phase_state ? (JSON.parse(round.phase_state) as ServerState) : null;
}

export async function saveSecAggState(
  sql: Sql,
  roundId: number,
  state: ServerState,
): Promise<void> {
  await setPhaseState(sql, roundId, state);
}

/**
 * t: the operator's threshold, else more than two thirds of the shops enrolled when the round
 * opens (the rule every shop checks against its signed roster, which cannot be larger), and
 * never below the settings' own minimum.
 */
export function thresholdFor(settings: RoundSettings, enrolled: number): number {
  if (settings.secaggThreshold !== null) return secaggThresholdFor(settings);
  return Math.max(secaggThresholdFor(settings), minimumThreshold(enrolled));
}

export function paramsFor(
  round: RoundRow,
  settings: RoundSettings,
  parameterCount: number,
  enrolled: number,
): SecAggParams {
  return {
    // The opening time makes the id unique even if a coordinator database is ever recreated.
    roundId: `breadcast-round-${round.id}-${round.opened_at}`,
    threshold: thresholdFor(settings, enrolled),
    vectorLength: secureVectorLength(parameterCount, settings),
    modulusBits: SECAGG_MODULUS_BITS,
  };
}

/**
 * Runs one SecAgg step on the stored state inside a transaction that holds the round's row (so
 * two coordinators never interleave a read-modify-write of it); protocol refusals become HTTP
 * answers.
 */
export async function withSecAggState<T>(
  sql: Sql,
  roundId: number,
  step: (
    state: ServerState,
    round: RoundRow,
    tx: Sql,
  ) => Promise<{ state: ServerState; result: T }> | { state: ServerState; result: T },
): Promise<T> {
  return sql.transaction(async (tx) => {
    const round = await getRound(tx, roundId, 'update');
    if (!round) throw new CoordinatorError(404, 'no-round', `There is no round ${roundId}.`);
    const state = loadSecAggState(round);
    if (!state)
      throw new CoordinatorError(
        409,
        'wrong-mode',
        `Round ${roundId} does not use secure aggregation.`,
      );
    try {
      const { state: next, result } = await step(state, round, tx);
      if (next !== state) await saveSecAggState(tx, roundId, next);
      return result;
    } catch (error) {
      throw asCoordinatorError(error);
    }
  });
}

export function asCoordinatorError(error: unknown): unknown {
  if (!(error instanceof SecAggError)) return error;
  const status =
    error.code === 'wrong-phase' || error.code === 'conflict'
      ? 409
      : error.code === 'unknown-shop' || error.code === 'refused'
        ? 403
        : 400;
  const code = error.code === 'conflict' ? 'already-sent' : error.code;
  return new CoordinatorError(status, code, `Secure aggregation refused: ${error.message}`);
}
