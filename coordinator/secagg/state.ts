import { SecAggError } from '../../federated/secagg/bytes.ts';
import { ed25519RawFromSpki } from '../../federated/secagg/primitives.ts';
import { SECURE_MODULUS_BITS, secureVectorLength } from '../../federated/secagg/round-http.ts';
import { MAX_ROUND_SHOPS } from '../../federated/secagg/round-protocol.ts';
import type { SecAggParams, ServerRound } from '../../federated/secagg/round-types.ts';
import type { RoundSettings } from '../../federated/protocol/index.ts';
import { CoordinatorError } from '../errors.ts';
import type { Sql } from '../store/sql.ts';
import { phaseStateOf, setPhaseState, type RoundRow } from '../store/rounds.ts';

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

// The header carries the roster (about 400 bytes a shop): every poll and message needs it, so a
// request reads only the round's tag for it and the header is read and parsed once per tag (a
// fresh random value per write, so no two stores or versions share one). Frozen: callers share it.
const parsed = new Map<string, SecureHeader | null>();

/** The round's secure header, as of the row's tag (read in the caller's transaction, if any). */
export async function loadHeader(
  sql: Sql,
  round: Pick<RoundRow, 'id' | 'phase_state_tag'>,
): Promise<SecureHeader | null> {
  const tag = round.phase_state_tag;
  if (!tag) return null;
  const known = parsed.get(tag);
  if (known !== undefined) return known;
  const stored = await phaseStateOf(sql, round.id);
  // Written again since the row was read: the newer header is the one to use.
  const header = stored?.phase_state
    ? (JSON.parse(stored.phase_state) as SecureHeader | null)
    : null;
  const valid = header?.version === 2 ? header : null;
  if (valid) deepFreeze(valid);
  // A few versions cover a round whose header just changed while a request still holds the last.
  while (parsed.size >= 4) parsed.delete(parsed.keys().next().value!);
  if (stored?.phase_state_tag) parsed.set(stored.phase_state_tag, valid);
  return valid;
}

type Members = {
  identities: ReadonlySet<string>;
  roster: ReadonlySet<string>;
  sharers: ReadonlySet<string>;
  survivors: ReadonlySet<string>;
  confirmed: ReadonlySet<string>;
};
const members = new WeakMap<SecureHeader, Members>();

/** The header's shop lists as sets, built once per parsed header (a poll asks one membership). */
export function membersOf(header: SecureHeader): Members {
  let known = members.get(header);
  if (!known) {
    known = {
      identities: new Set(Object.keys(header.identities)),
      roster: new Set(header.roster?.map((e) => e.shopId) ?? []),
      sharers: new Set(header.sharers ?? []),
      survivors: new Set(header.survivors ?? []),
      confirmed: new Set(header.confirmations?.map((c) => c.shopId) ?? []),
    };
    members.set(header, known);
  }
  return known;
}

const expectations = new WeakMap<SecureHeader, Map<string, ReadonlySet<string>>>();

/** A set derived from a header (who a phase waits for), built once per parsed header. */
export function derivedSet(
  header: SecureHeader,
  name: string,
  build: () => Iterable<string>,
): ReadonlySet<string> {
  let sets = expectations.get(header);
  if (!sets) expectations.set(header, (sets = new Map()));
  let set = sets.get(name);
  if (!set) sets.set(name, (set = new Set(build())));
  return set;
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
