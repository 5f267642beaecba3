/**
 * The coordinator's side of SecAgg as pure steps over a JSON state. Accept functions validate
 * one message and return the new state (persist it before acknowledging); closePhase moves on
 * at a deadline or when everyone answered, and fails the round cleanly below threshold.
 * The server only ever holds masked vectors, encrypted shares, and at the end the sum.
 */
import { SecAggError, fromBase64, wordsFromBase64, wordsToBase64 } from './bytes.ts';
import { verifyEd25519, x25519PublicOf } from './primitives.ts';
import {
  SHARE_BYTES,
  advertisementBytes,
  neighbourhoods,
  pairwiseMask,
  pairwiseMaskKey,
  paramsDigest,
  rosterSizeProblem,
  selfMask,
  selfMaskCommitment,
  shamirCombine,
} from './protocol.ts';
import { ringAddInPlace, ringSubInPlace } from './ring.ts';
import type {
  Advertisement,
  EncryptedShare,
  MaskedInputMessage,
  RosterEntry,
  SecAggParams,
  ServerState,
  ShareKeysMessage,
  UnmaskMessage,
  UnmaskRequest,
} from './types.ts';

const sameJson = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

function expectPhase(state: ServerState, phase: ServerState['phase']): void {
  if (state.phase !== phase)
    throw new SecAggError('wrong-phase', `round is in phase ${state.phase}, not ${phase}`);
}

/** A new round; `identities` maps every enrolled shop id to its Ed25519 public key. */
export function createServerRound(
  params: SecAggParams,
  identities: Record<string, string>,
): ServerState {
  return {
    version: 1,
    params,
    paramsDigest: paramsDigest(params),
    identities: { ...identities },
    phase: 'advertise',
    advertisements: {},
    shareMessages: {},
    maskedInputs: {},
    unmaskMessages: {},
  };
}

export function acceptAdvertisement(state: ServerState, ad: Advertisement): ServerState {
  expectPhase(state, 'advertise');
  const identity = state.identities[ad.shopId];
  if (!identity)
    throw new SecAggError('unknown-shop', `${ad.shopId} is not enrolled for this round`);
  if (!verifyEd25519(identity, advertisementBytes(state.paramsDigest, ad), ad.signature))
    throw new SecAggError('bad-signature', `advertisement of ${ad.shopId} has a bad signature`);
  const known = state.advertisements[ad.shopId];
  if (known) {
    if (sameJson(known, ad)) return state;
    throw new SecAggError('conflict', `${ad.shopId} already advertised different keys`);
  }
  const clean: Advertisement = {
    shopId: ad.shopId,
    cPublicKey: ad.cPublicKey,
    sPublicKey: ad.sPublicKey,
    signature: ad.signature,
  };
  return { ...state, advertisements: { ...state.advertisements, [ad.shopId]: clean } };
}

/** U1 with identity keys, as shops need it to verify the signatures themselves. */
export function roster(state: ServerState): RosterEntry[] {
  if (!state.roster)
    throw new SecAggError('wrong-phase', 'the roster is fixed when advertising closes');
  return state.roster;
}

export function acceptShareKeys(state: ServerState, message: ShareKeysMessage): ServerState {
  expectPhase(state, 'share');
  const members = roster(state).map((e) => e.shopId);
  if (!members.includes(message.shopId))
    throw new SecAggError('unknown-shop', `${message.shopId} is not in this round's roster`);
  fromBase64(message.selfMaskCommitment, 32);
  const expected = [...neighboursOf(state, message.shopId)].sort();
  const recipients = message.shares.map((s) => s.to).sort();
  if (!sameJson(expected, recipients) || message.shares.some((s) => s.from !== message.shopId))
    throw new SecAggError('malformed', 'exactly one share per neighbour is required');
  message.shares.forEach((s) => fromBase64(s.ciphertext));
  const known = state.shareMessages[message.shopId];
  if (known) {
    if (sameJson(known, message)) return state;
    throw new SecAggError('conflict', `${message.shopId} already sent different shares`);
  }
  return { ...state, shareMessages: { ...state.shareMessages, [message.shopId]: message } };
}

/** The ciphertexts addressed to one shop from every member of U2 (available once sharing closed). */
export function routeShares(state: ServerState, shopId: string): EncryptedShare[] {
  if (!state.sharers) throw new SecAggError('wrong-phase', 'shares are routed when sharing closes');
  if (!state.sharers.includes(shopId))
    throw new SecAggError('refused', `${shopId} did not share keys`);
  const near = neighboursOf(state, shopId);
  return state.sharers
    .filter((id) => near.has(id))
    .map((id) => state.shareMessages[id]!.shares.find((s) => s.to === shopId)!);
}

/** A shop's neighbours in the round's graph (all other roster members without SecAgg+). */
function neighboursOf(state: ServerState, shopId: string): Set<string> {
  const ids = roster(state).map((e) => e.shopId);
  return neighbourhoods(state.params, state.paramsDigest, ids).get(shopId) ?? new Set();
}

export function acceptMaskedInput(state: ServerState, message: MaskedInputMessage): ServerState {
  expectPhase(state, 'upload');
  if (!state.sharers?.includes(message.shopId))
    throw new SecAggError(
      'refused',
      `${message.shopId} did not share keys, so its upload cannot count`,
    );
  wordsFromBase64(message.masked, state.params.vectorLength);
  const known = state.maskedInputs[message.shopId];
  if (known !== undefined) {
    if (known === message.masked) return state;
    throw new SecAggError('conflict', `${message.shopId} already uploaded a different vector`);
  }
  return { ...state, maskedInputs: { ...state.maskedInputs, [message.shopId]: message.masked } };
}

export function unmaskRequest(state: ServerState): UnmaskRequest {
  if (!state.unmaskRequest)
    throw new SecAggError('wrong-phase', 'unmasking starts when uploads close');
  return state.unmaskRequest;
}

export function acceptUnmask(state: ServerState, message: UnmaskMessage): ServerState {
  expectPhase(state, 'unmask');
  const request = unmaskRequest(state);
  if (!request.survivors.includes(message.shopId))
    throw new SecAggError('refused', `${message.shopId} is not a survivor of this round`);
  const selfIds = Object.keys(message.selfMaskShares).sort();
  const keyIds = Object.keys(message.pairwiseKeyShares).sort();
  const near = neighboursOf(state, message.shopId);
  near.add(message.shopId);
  if (
    !sameJson(selfIds, request.survivors.filter((id) => near.has(id)).sort()) ||
    !sameJson(keyIds, request.dropped.filter((id) => near.has(id)).sort())
  )
    throw new SecAggError('malformed', 'unmask answer does not match the request');
  for (const share of [
    ...Object.values(message.selfMaskShares),
    ...Object.values(message.pairwiseKeyShares),
  ])
    fromBase64(share, SHARE_BYTES);
  const known = state.unmaskMessages[message.shopId];
  if (known) {
    if (sameJson(known, message)) return state;
    throw new SecAggError('conflict', `${message.shopId} already answered differently`);
  }
  return { ...state, unmaskMessages: { ...state.unmaskMessages, [message.shopId]: message } };
}

function fail(state: ServerState, why: string): ServerState {
  return { ...state, phase: 'failed', failure: why };
}

/**
 * Ends the current collection phase: advertise → share → upload → unmask. Below threshold the
 * round fails (a state, not an exception, so it can be persisted and shown). Unmask → done is
 * recoverSum, because rebuilding secrets is asynchronous.
 */
export function closePhase(state: ServerState): ServerState {
  const t = state.params.threshold;
  switch (state.phase) {
    case 'advertise': {
      const ads = Object.values(state.advertisements).sort((a, b) =>
        a.shopId < b.shopId ? -1 : 1,
      );
      if (ads.length < t)
        return fail(state, `only ${ads.length} shops advertised keys; ${t} needed`);
      const tooMany = rosterSizeProblem(state.params, ads.length);
      if (tooMany) return fail(state, tooMany);
      const entries = ads.map((ad) => ({ ...ad, identityKey: state.identities[ad.shopId]! }));
      return { ...state, phase: 'share', roster: entries };
    }
    case 'share': {
      const sharers = Object.keys(state.shareMessages).sort();
      if (sharers.length < t)
        return fail(state, `only ${sharers.length} shops shared keys; ${t} needed`);
      return { ...state, phase: 'upload', sharers };
    }
    case 'upload': {
      const survivors = Object.keys(state.maskedInputs).sort();
      if (survivors.length < t)
        return fail(state, `only ${survivors.length} shops uploaded; ${t} needed`);
      const dropped = (state.sharers ?? []).filter((id) => !survivors.includes(id));
      return { ...state, phase: 'unmask', unmaskRequest: { survivors, dropped } };
    }
    default:
      throw new SecAggError('wrong-phase', `phase ${state.phase} has nothing to close`);
  }
}

/**
 * Rebuilds each survivor's self-mask seed and each dropped shop's mask key from at least t
 * answers, checks them against the commitment and the advertised public key, and removes all
 * masks: what remains is Σ_{u∈U3} x_u mod 2^k and nothing about any single x_u.
 */
export async function recoverSum(state: ServerState): Promise<ServerState> {
  expectPhase(state, 'unmask');
  try {
    return await unmaskSum(state);
  } catch (error) {
    if (error instanceof SecAggError) return fail(state, `unmasking failed: ${error.message}`);
    throw error;
  }
}

async function unmaskSum(state: ServerState): Promise<ServerState> {
  const { params, paramsDigest: digest } = state;
  const t = params.threshold;
  const request = unmaskRequest(state);
  const answers = Object.values(state.unmaskMessages);
  if (answers.length < t)
    return fail(state, `only ${answers.length} shops helped unmask; ${t} needed`);
  const entry = (id: string) => roster(state).find((e) => e.shopId === id)!;
  const sum = new Uint32Array(params.vectorLength);
  for (const u of request.survivors)
    ringAddInPlace(
      sum,
      wordsFromBase64(state.maskedInputs[u]!, params.vectorLength),
      params.modulusBits,
    );
  // Each secret is rebuilt from the answers of the shops that hold a share of it (its
  // neighbourhood); fewer than t of them fails the round cleanly. All those shares come from
  // the owner's one split, so their x-coordinates (carried in each share) are distinct even
  // when the roster exceeds 255; shamirCombine still refuses a duplicate.
  const heldBy = (pick: (a: UnmaskMessage) => string | undefined) =>
    answers.map(pick).filter((share): share is string => share !== undefined);
  for (const u of request.survivors) {
    const seed = await shamirCombine(
      heldBy((a) => a.selfMaskShares[u]),
      t,
    );
    if (selfMaskCommitment(digest, u, seed) !== state.shareMessages[u]!.selfMaskCommitment)
      return fail(state, `self-mask seed of ${u} did not reconstruct`);
    ringSubInPlace(sum, selfMask(params, digest, seed, u), params.modulusBits);
  }
  for (const v of request.dropped) {
    const secret = await shamirCombine(
      heldBy((a) => a.pairwiseKeyShares[v]),
      t,
    );
    const secretKey = Buffer.from(secret).toString('base64');
    if (publicKeyOrEmpty(secretKey) !== entry(v).sPublicKey)
      return fail(state, `mask key of dropped ${v} did not reconstruct`);
    const near = neighboursOf(state, v);
    for (const u of request.survivors.filter((id) => near.has(id))) {
      const m = pairwiseMask(params, pairwiseMaskKey(digest, secretKey, entry(u).sPublicKey, v, u));
      // y_u carries +PRG(s_uv) when v > u and −PRG(s_uv) when v < u; undo exactly that.
      if (v > u) ringSubInPlace(sum, m, params.modulusBits);
      else ringAddInPlace(sum, m, params.modulusBits);
    }
  }
  return { ...state, phase: 'done', sum: wordsToBase64(sum) };
}

function publicKeyOrEmpty(secretKey: string): string {
  try {
    return x25519PublicOf(secretKey);
  } catch {
    return '';
  }
}

/** The recovered sum as ring words (decode with decodeAggregate in federated/privacy). */
export function recoveredSum(state: ServerState): Uint32Array {
  if (state.phase !== 'done' || !state.sum)
    throw new SecAggError('wrong-phase', 'no sum recovered yet');
  return wordsFromBase64(state.sum, state.params.vectorLength);
}

/**
 * Once a round is over the coordinator keeps only what the dashboard needs and the sum: the
 * share ciphertexts, masked vectors and revealed shares go, so a later breach of its database
 * cannot replay the unmasking of anything.
 */
export function compactServerState(state: ServerState): ServerState {
  if (state.phase !== 'done' && state.phase !== 'failed') return state;
  const blank = (record: Record<string, unknown>) =>
    Object.fromEntries(Object.keys(record).map((id) => [id, '']));
  return {
    ...state,
    shareMessages: Object.fromEntries(
      Object.entries(state.shareMessages).map(([id, m]) => [id, { ...m, shares: [] }]),
    ),
    maskedInputs: blank(state.maskedInputs) as Record<string, string>,
    unmaskMessages: Object.fromEntries(
      Object.keys(state.unmaskMessages).map((id) => [
        id,
        { shopId: id, selfMaskShares: {}, pairwiseKeyShares: {} },
      ]),
    ),
  };
}
