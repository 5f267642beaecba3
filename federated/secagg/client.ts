/**
 * The shop's side of SecAgg as pure steps: each takes the persisted state (plain JSON) and
 * returns the next state plus the message to send. Persist the new state BEFORE sending, so a
 * crash and restart resends the very same message instead of producing a second one.
 */
import { SecAggError, fromBase64, toBase64, utf8, wordsToBase64 } from './bytes.ts';
import {
  assertCryptoAvailable,
  generateEd25519,
  generateX25519,
  open,
  randomSecret,
  seal,
  signEd25519,
  ed25519PublicOf,
  verifyEd25519,
} from './primitives.ts';
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
  shamirSplit,
  shareAssociatedData,
  shareEncryptionKey,
} from './protocol.ts';
import { ringAddInPlace, ringMask, ringSubInPlace } from './ring.ts';
import type {
  Advertisement,
  ClientState,
  EncryptedShare,
  MaskedInputMessage,
  RosterEntry,
  SecAggParams,
  ShareKeysMessage,
  UnmaskMessage,
  UnmaskRequest,
} from './types.ts';

/** A shop's long-term signing identity: the Ed25519 key whose public half the coordinator enrolled. */
export type ShopIdentity = { shopId: string; secretKey: string };

type Step<M> = { state: ClientState; message: M };

/** Round 0: fresh c and s key pairs for this round only, signed with the shop's identity. */
export function advertiseKeys(identity: ShopIdentity, params: SecAggParams): Step<Advertisement> {
  assertCryptoAvailable();
  const digest = paramsDigest(params);
  const cKeys = generateX25519();
  const sKeys = generateX25519();
  const unsigned = {
    shopId: identity.shopId,
    cPublicKey: cKeys.publicKey,
    sPublicKey: sKeys.publicKey,
  };
  const advertisement: Advertisement = {
    ...unsigned,
    signature: signEd25519(identity.secretKey, advertisementBytes(digest, unsigned)),
  };
  const state: ClientState = {
    version: 1,
    params,
    paramsDigest: digest,
    shopId: identity.shopId,
    phase: 'advertised',
    cKeys,
    sKeys,
    advertisement,
  };
  return { state, message: advertisement };
}

/** Checks every advert's signature, that ours is there unchanged, and that the roster is big enough. */
export function verifyRoster(state: ClientState, roster: RosterEntry[]): RosterEntry[] {
  const sorted = [...roster].sort((a, b) =>
    a.shopId < b.shopId ? -1 : a.shopId > b.shopId ? 1 : 0,
  );
  const ids = new Set(sorted.map((e) => e.shopId));
  if (ids.size !== sorted.length)
    throw new SecAggError('malformed', 'a shop appears twice in the roster');
  const keys = new Set(sorted.flatMap((e) => [e.cPublicKey, e.sPublicKey]));
  if (keys.size !== 2 * sorted.length) throw new SecAggError('malformed', 'roster reuses a key');
  if (sorted.length < state.params.threshold)
    throw new SecAggError(
      'below-threshold',
      `roster has ${sorted.length} shops, threshold is ${state.params.threshold}`,
    );
  const tooMany = rosterSizeProblem(state.params, sorted.length);
  if (tooMany) throw new SecAggError('malformed', tooMany);
  for (const entry of sorted) {
    if (
      !verifyEd25519(
        entry.identityKey,
        advertisementBytes(state.paramsDigest, entry),
        entry.signature,
      )
    )
      throw new SecAggError(
        'bad-signature',
        `advertisement of ${entry.shopId} is not signed by its identity`,
      );
  }
  const mine = sorted.find((e) => e.shopId === state.shopId);
  if (
    !mine ||
    mine.cPublicKey !== state.advertisement.cPublicKey ||
    mine.sPublicKey !== state.advertisement.sPublicKey
  )
    throw new SecAggError('refused', 'our own advertisement is missing or altered in the roster');
  return sorted.map(({ shopId, cPublicKey, sPublicKey, signature, identityKey }) => ({
    shopId,
    cPublicKey,
    sPublicKey,
    signature,
    identityKey,
  }));
}

/** Round 1: pick the self-mask seed b, Shamir-share b and s_sk t-of-n, encrypt each peer's pair. */
export async function shareKeys(
  state: ClientState,
  roster: RosterEntry[],
): Promise<Step<ShareKeysMessage>> {
  if (state.phase !== 'advertised') {
    if (state.shareMessage) return { state, message: state.shareMessage };
    throw new SecAggError('wrong-phase', `cannot share keys in phase ${state.phase}`);
  }
  const verified = verifyRoster(state, roster);
  // Shares go to this shop's neighbourhood only (everyone, unless SecAgg+ neighbours are set).
  const mine = holdersOf({ ...state, roster: verified });
  const holders = verified.filter((e) => mine.has(e.shopId));
  const t = state.params.threshold;
  if (holders.length < t)
    throw new SecAggError('below-threshold', `${holders.length} share holders, threshold is ${t}`);
  // One split per secret among this neighbourhood (≤ 255 by validateParams): the library's
  // x-coordinates are distinct within it, which is all the neighbours' reconstruction needs.
  const seed = randomSecret();
  const selfShares = await shamirSplit(seed, holders.length, t);
  const keyShares = await shamirSplit(fromBase64(state.sKeys.secretKey, 32), holders.length, t);
  const heldShares: NonNullable<ClientState['heldShares']> = {};
  const shares: EncryptedShare[] = [];
  holders.forEach((peer, i) => {
    const bundle = { selfMask: selfShares[i]!, pairwiseKey: keyShares[i]! };
    if (peer.shopId === state.shopId) {
      heldShares[state.shopId] = bundle;
      return;
    }
    const key = shareEncryptionKey(
      state.paramsDigest,
      state.cKeys.secretKey,
      peer.cPublicKey,
      state.shopId,
      peer.shopId,
    );
    const plaintext = utf8(JSON.stringify({ from: state.shopId, to: peer.shopId, ...bundle }));
    const ad = shareAssociatedData(state.paramsDigest, state.shopId, peer.shopId);
    shares.push({ from: state.shopId, to: peer.shopId, ciphertext: seal(key, plaintext, ad) });
  });
  const message: ShareKeysMessage = {
    shopId: state.shopId,
    selfMaskCommitment: selfMaskCommitment(state.paramsDigest, state.shopId, seed),
    shares,
  };
  const next: ClientState = {
    ...state,
    phase: 'shared',
    roster: verified,
    selfMaskSeed: toBase64(seed),
    shareMessage: message,
    heldShares,
  };
  return { state: next, message };
}

/** This shop and its neighbours: who holds shares of its secrets and whose shares it holds. */
function holdersOf(state: ClientState): Set<string> {
  const ids = (state.roster ?? []).map((e) => e.shopId);
  const near = neighbourhoods(state.params, state.paramsDigest, ids).get(state.shopId) ?? new Set();
  return new Set([state.shopId, ...near]);
}

function decryptShare(state: ClientState, roster: RosterEntry[], share: EncryptedShare) {
  const sender = roster.find((e) => e.shopId === share.from);
  if (
    !sender ||
    share.from === state.shopId ||
    share.to !== state.shopId ||
    !holdersOf(state).has(share.from)
  )
    throw new SecAggError('malformed', `share from ${share.from} to ${share.to} is not for us`);
  const key = shareEncryptionKey(
    state.paramsDigest,
    state.cKeys.secretKey,
    sender.cPublicKey,
    state.shopId,
    sender.shopId,
  );
  const plain = open(
    key,
    share.ciphertext,
    shareAssociatedData(state.paramsDigest, share.from, share.to),
  );
  let parsed: unknown;
  try {
    parsed = JSON.parse(new TextDecoder().decode(plain));
  } catch {
    throw new SecAggError('malformed', 'share plaintext is not JSON');
  }
  const p = parsed as Record<string, unknown>;
  if (
    p.from !== share.from ||
    p.to !== state.shopId ||
    typeof p.selfMask !== 'string' ||
    typeof p.pairwiseKey !== 'string'
  )
    throw new SecAggError('malformed', `share bundle from ${share.from} is inconsistent`);
  fromBase64(p.selfMask, SHARE_BYTES);
  fromBase64(p.pairwiseKey, SHARE_BYTES);
  return { selfMask: p.selfMask, pairwiseKey: p.pairwiseKey };
}

/**
 * Round 2: y = x + PRG(b) + Σ_{v>u} PRG(s_uv) − Σ_{v<u} PRG(s_uv) mod 2^k over the peers whose
 * shares reached us (U2). `input` is the already clipped, noised and fixed-point-encoded update.
 * Once computed the upload is fixed: a retry returns it unchanged, whatever input is passed.
 */
export function maskedInput(
  state: ClientState,
  sharesForMe: EncryptedShare[],
  input: Uint32Array,
): Step<MaskedInputMessage> {
  if (state.phase !== 'shared') {
    if (state.maskedInput) return { state, message: state.maskedInput };
    throw new SecAggError('wrong-phase', `cannot upload in phase ${state.phase}`);
  }
  const { params } = state;
  const roster = state.roster ?? [];
  if (input.length !== params.vectorLength)
    throw new SecAggError(
      'malformed',
      `input has ${input.length} elements, round expects ${params.vectorLength}`,
    );
  const mask = ringMask(params.modulusBits);
  if (input.some((w) => w > mask))
    throw new SecAggError('malformed', 'input is not reduced mod 2^k');
  const heldShares = { ...state.heldShares };
  for (const share of sharesForMe) {
    if (heldShares[share.from]) throw new SecAggError('malformed', `two shares from ${share.from}`);
    heldShares[share.from] = decryptShare(state, roster, share);
  }
  const peers = Object.keys(heldShares)
    .filter((id) => id !== state.shopId)
    .sort();
  if (peers.length + 1 < params.threshold)
    throw new SecAggError(
      'below-threshold',
      `only ${peers.length + 1} shops shared keys, threshold is ${params.threshold}`,
    );
  const y = Uint32Array.from(input);
  ringAddInPlace(
    y,
    selfMask(params, state.paramsDigest, fromBase64(state.selfMaskSeed ?? '', 32), state.shopId),
    params.modulusBits,
  );
  for (const v of peers) {
    const peer = roster.find((e) => e.shopId === v)!;
    const key = pairwiseMaskKey(
      state.paramsDigest,
      state.sKeys.secretKey,
      peer.sPublicKey,
      state.shopId,
      v,
    );
    const m = pairwiseMask(params, key);
    if (v > state.shopId) ringAddInPlace(y, m, params.modulusBits);
    else ringSubInPlace(y, m, params.modulusBits);
  }
  const message: MaskedInputMessage = { shopId: state.shopId, masked: wordsToBase64(y) };
  return {
    state: { ...state, phase: 'masked', heldShares, maskedWith: peers, maskedInput: message },
    message,
  };
}

/**
 * Round 3: reveal b-shares of survivors and s-key shares of dropped shops. A shop is never in
 * both lists, and we answer only one partition per round: revealing both secrets of one shop
 * would let the server unmask that shop's single update.
 */
export function unmaskResponse(state: ClientState, request: UnmaskRequest): Step<UnmaskMessage> {
  const same = (a: string[], b: string[]) =>
    a.length === b.length && [...a].sort().every((x, i) => x === [...b].sort()[i]);
  if (state.phase === 'unmasked' && state.revealed && state.unmaskMessage) {
    if (
      same(state.revealed.survivors, request.survivors) &&
      same(state.revealed.dropped, request.dropped)
    )
      return { state, message: state.unmaskMessage };
    throw new SecAggError('refused', 'already answered a different unmask request this round');
  }
  if (state.phase !== 'masked')
    throw new SecAggError('wrong-phase', `cannot unmask in phase ${state.phase}`);
  const survivors = new Set(request.survivors);
  const dropped = new Set(request.dropped);
  if (survivors.size !== request.survivors.length || dropped.size !== request.dropped.length)
    throw new SecAggError('malformed', 'duplicate shop in unmask request');
  for (const id of survivors) {
    if (dropped.has(id))
      throw new SecAggError('refused', `${id} is listed as both survivor and dropped`);
  }
  if (!survivors.has(state.shopId))
    throw new SecAggError('refused', 'our upload is not among the survivors');
  if (dropped.has(state.shopId))
    throw new SecAggError('refused', 'asked to reveal our own mask key');
  // Only the neighbourhood matters: we hold shares of our neighbours' secrets and no others.
  const mine = holdersOf(state);
  const nearSurvivors = [...survivors].filter((id) => mine.has(id));
  if (nearSurvivors.length < state.params.threshold)
    throw new SecAggError(
      'below-threshold',
      `${nearSurvivors.length} survivors around us, threshold is ${state.params.threshold}`,
    );
  const held = state.heldShares ?? {};
  const selfMaskShares: Record<string, string> = {};
  const pairwiseKeyShares: Record<string, string> = {};
  for (const id of nearSurvivors) {
    const bundle = held[id];
    if (!bundle) throw new SecAggError('refused', `no share held for survivor ${id}`);
    selfMaskShares[id] = bundle.selfMask;
  }
  for (const id of [...dropped].filter((d) => mine.has(d))) {
    const bundle = held[id];
    if (!bundle) throw new SecAggError('refused', `no share held for dropped shop ${id}`);
    pairwiseKeyShares[id] = bundle.pairwiseKey;
  }
  const message: UnmaskMessage = { shopId: state.shopId, selfMaskShares, pairwiseKeyShares };
  // The round is over for this shop: drop every secret, keep only what a retry must resend.
  const next: ClientState = {
    ...state,
    phase: 'unmasked',
    cKeys: { publicKey: state.cKeys.publicKey, secretKey: '' },
    sKeys: { publicKey: state.sKeys.publicKey, secretKey: '' },
    selfMaskSeed: '',
    heldShares: {},
    revealed: { survivors: [...survivors].sort(), dropped: [...dropped].sort() },
    unmaskMessage: message,
  };
  return { state: next, message };
}

/** A new long-term identity for a shop; the public half is what it enrols with. */
export function createShopIdentity(shopId: string): ShopIdentity & { publicKey: string } {
  assertCryptoAvailable();
  const keys = generateEd25519();
  return { shopId, secretKey: keys.secretKey, publicKey: keys.publicKey };
}

export function identityPublicKey(identity: ShopIdentity): string {
  return ed25519PublicOf(identity.secretKey);
}
