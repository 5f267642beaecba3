import { SecAggError } from '../../federated/secagg/bytes.ts';
import { ed25519RawFromSpki } from '../../federated/secagg/primitives.ts';
import { SECURE_MODULUS_BITS, secureVectorLength } from '../../federated/secagg/round-http.ts';
import { MAX_ROUND_SHOPS } from '../../federated/secagg/round-protocol.ts';
import type { SecAggParams, ServerRound } from '../../federated/secagg/round-types.ts';
import type { RoundSettings } from '../../federated/protocol/index.ts';
import { CoordinatorError } from '../errors.ts';
import type { Sql } from '../store/sql.ts';
import { setPhaseState, type RoundRow } from '../store/rounds.ts';

/**
 * A secure round's header as the coordinator keeps it in `rounds.phase_state`: the core's round
 * (params, roster, configuration, survivor set, who was dropped and why), plus what unmasking and
 * aggregation produced. Small: every shop message lives in its own row (store/secagg.ts).
 */
export type SecureHeader = ServerRound & {
  /** Σ of the survivors' contributions, base64 little-endian words, once unmasked. */
  sum?: string;
  /** Unmasking: answers used, and revealed shares that failed their commitment (skipped). */
  recovery?: { answers: number; wrongShares: number };
  /** Aggregation: the robust check of the sum, and the decoded divisor and figures. */
  outcome?: SecureOutcome;
};

export type SecureOutcome = {
  sumNorm: number;
  sumBound: number;
  totalWeight: number;
  totalWeightNoiseStd: number;
  metrics: {
    reporting: { value: number; noiseStd: number };
    wape: { value: number; noiseStd: number };
    pinball: { value: number; noiseStd: number };
  } | null;
};

// The header carries the roster (about 400 bytes a shop): every poll and message reads it, so
// it is parsed once per stored version, not once per request. Frozen, since callers share it.
const parsed = new Map<string, SecureHeader>();

export function loadHeader(round: Pick<RoundRow, 'phase_state'>): SecureHeader | null {
  if (!round.phase_state) return null;
  const known = parsed.get(round.phase_state);
  if (known) return known;
  const header = JSON.parse(round.phase_state) as SecureHeader | null;
  if (header?.version !== 2) return null;
  deepFreeze(header);
  // Two versions cover a round whose header just changed while a request still holds the last.
  if (parsed.size >= 2) parsed.delete(parsed.keys().next().value!);
  parsed.set(round.phase_state, header);
  return header;
}

function deepFreeze(value: unknown): void {
  if (value === null || typeof value !== 'object' || Object.isFrozen(value)) return;
  Object.freeze(value);
  for (const inner of Object.values(value)) deepFreeze(inner);
}

export async function saveHeader(sql: Sql, roundId: number, header: SecureHeader): Promise<void> {
  await setPhaseState(sql, roundId, header);
}

/** Enrolled, non-revoked shops with their identity key as raw Ed25519 (what adverts are signed with). */
export async function enrolledIdentities(sql: Sql): Promise<Record<string, string>> {
  const rows = await sql.all<{ shop_id: string; public_key: string }>(
    `SELECT c.shop_id, c.public_key FROM credentials c JOIN shops s ON s.id = c.shop_id
     WHERE c.revoked_at IS NULL AND s.revoked_at IS NULL ORDER BY c.created_at`,
  );
  const out: Record<string, string> = {};
  for (const row of rows) out[row.shop_id] = ed25519RawFromSpki(row.public_key);
  return out;
}

/** Shops of the round revoked since it opened. */
export async function revokedShops(sql: Sql, ids: readonly string[]): Promise<string[]> {
  const rows = await sql.all<{ id: string }>('SELECT id FROM shops WHERE revoked_at IS NOT NULL');
  const inRound = new Set(ids);
  return rows.map((r) => r.id).filter((id) => inRound.has(id));
}

/**
 * The round's parameters. The roster may hold every shop enrolled when the round opens; n, c,
 * T, t and the graph follow from the signed roster (roundConfig), on both sides.
 */
export function paramsFor(
  round: Pick<RoundRow, 'id' | 'opened_at'>,
  settings: RoundSettings,
  parameterCount: number,
  enrolled: number,
): SecAggParams {
  return {
    // The opening time makes the id unique even if a coordinator database is ever recreated.
    roundId: `breadcast-round-${round.id}-${round.opened_at}`,
    vectorLength: secureVectorLength(parameterCount, settings),
    modulusBits: SECURE_MODULUS_BITS,
    maxShops: Math.min(MAX_ROUND_SHOPS, Math.max(2, enrolled)),
    colluders: settings.colluders,
    graph: settings.secaggGraph,
  };
}

/** Protocol refusals as HTTP answers. */
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
