/**
 * The shop's side of an active-adversary round up to its masked upload, as pure steps: each takes
 * the persisted state and returns the next state plus the message to send. Persist the new state
 * BEFORE sending, so a crash resends the very same message instead of producing a second one.
 * The shop trusts nothing the coordinator says that it can check itself: every roster line must
 * carry its member's signature, the round's graph and thresholds are recomputed from the roster,
 * and every share is signed by its sender and bound to the roster this shop saw.
 */
import { SecAggError, fromBase64, toBase64, utf8, wordsToBase64 } from './bytes.ts';
import { merkleRoot, merkleVerify } from './merkle.ts';
import {
  assertCryptoAvailable,
  generateEd25519,
  agreementsWith,
  generateX25519,
  randomSecret,
  seal,
  signEd25519,
  verifyEd25519,
} from './primitives.ts';
import { pairwiseMaskKey, selfMaskKey } from './protocol.ts';
import { addMasksInPlace, ringMask, type MaskTerm } from './ring.ts';
import type { RoundConfig } from './round-config.ts';
import {
  RoundGraph,
  advertisementBytes,
  paramsDigest,
  recordBytes,
  seedCommitment,
  shareCipherKey,
  newShareKeys,
  shareKeyCount,
} from './round-protocol.ts';
import type {
  AdvertisementMessage,
  ClientState,
  MaskedInputMessage,
  RosterEntry,
  SecAggParams,
  ShareKeyFor,
  ShareKeysMessage,
  ShareRecord,
  ShareReport,
} from './round-types.ts';
import { newOpening, shamirSplit, shareCommitment, type ShareOpening } from './shamir.ts';
import {
  openRecord,
  verifyRoster,
  type ShopRequirements,
  type SignatureCheck,
} from './shop-checks.ts';

/**
 * Builds the round's graph from the verified roster. Injectable only so a load harness that runs
 * thousands of simulated shops in one process can reuse one build of identical inputs; every shop
 * of the app and of the benchmarks builds its own.
 */
export type GraphOf = (
  digest: string,
  hash: string,
  ids: string[],
  config: RoundConfig,
) => RoundGraph;

/** A shop's long-term signing identity: the Ed25519 key whose public half the coordinator enrolled. */
export type ShopIdentity = { shopId: string; secretKey: string };

/** A fresh identity with its public key (simulations and benchmarks; the app enrols its own). */
export function createShopIdentity(shopId: string): ShopIdentity & { publicKey: string } {
  assertCryptoAvailable();
  const keys = generateEd25519();
  return { shopId, secretKey: keys.secretKey, publicKey: keys.publicKey };
}

export type Step<M> = { state: ClientState; message: M };

const sortIds = (ids: string[]) => [...ids].sort();

/** Advertise: a fresh mask key pair and fresh share keys for this round only, signed. */
export function advertiseKeys(
  identity: ShopIdentity,
  params: SecAggParams,
): Step<AdvertisementMessage> {
  assertCryptoAvailable();
  const digest = paramsDigest(params);
  const maskKeys = generateX25519();
  const senderKeys = generateX25519();
  const { secrets: shareKeySecrets, keys: shareKeys } = newShareKeys(shareKeyCount(params));
  const unsigned = {
    shopId: identity.shopId,
    maskKey: maskKeys.publicKey,
    shareKeysRoot: merkleRoot(shareKeys),
    shareKeyCount: shareKeys.length,
    senderKey: senderKeys.publicKey,
  };
  const message: AdvertisementMessage = {
    ...unsigned,
    signature: signEd25519(identity.secretKey, advertisementBytes(digest, unsigned)),
    shareKeys,
  };
  const state: ClientState = {
    version: 2,
    params,
    paramsDigest: digest,
    shopId: identity.shopId,
    phase: 'advertised',
    maskKeys,
    senderSecretKey: senderKeys.secretKey,
    shareKeySecrets,
    advertisement: message,
    disclosed: {},
  };
  return { state, message };
}

/**
 * Share keys: pick the self-mask seed b, Shamir-share b and the mask key's secret t-of-(k+1)
 * among this shop and its neighbours, and send each neighbour its pair, encrypted to the share key
 * it advertised for this sender, committed and signed.
 */
export function shareKeys(
  state: ClientState,
  identity: ShopIdentity,
  roster: RosterEntry[],
  keysForMe: ShareKeyFor[],
  requirements: ShopRequirements = {},
  verify: SignatureCheck = verifyEd25519,
  graphOf: GraphOf = (d, h, ids, c) => new RoundGraph(d, h, ids, c),
): Step<ShareKeysMessage> {
  if (state.phase !== 'advertised') {
    if (state.shareMessage) return { state, message: state.shareMessage };
    throw new SecAggError('wrong-phase', `cannot share keys in phase ${state.phase}`);
  }
  if (!state.senderSecretKey)
    throw new SecAggError('wrong-phase', 'this round was advertised without a sender key');
  const { entries, hash, config } = verifyRoster(state, roster, requirements, verify);
  const digest = state.paramsDigest;
  const me = state.shopId;
  const graph = graphOf(
    digest,
    hash,
    entries.map((e) => e.shopId),
    config,
  );
  const neighbours = graph.neighbours(me);
  const entry = new Map(entries.map((e) => [e.shopId, e]));
  const keyFor = new Map(keysForMe.map((k) => [k.shopId, k]));
  if (keyFor.size !== keysForMe.length || keysForMe.length !== neighbours.length)
    throw new SecAggError('share-keys-forged', 'share keys do not match our neighbours');
  for (const v of neighbours) {
    const k = keyFor.get(v);
    const root = entry.get(v)!;
    if (
      !k ||
      k.index !== graph.keyIndex(v, me) ||
      k.index >= root.shareKeyCount ||
      !merkleVerify(root.shareKeysRoot, k.index, k.key, k.path)
    )
      throw new SecAggError('share-keys-forged', `the share key of ${v} is not the one it signed`);
  }
  const holders = graph.holders(me);
  const seed = randomSecret();
  const selfShares = shamirSplit(seed, holders.length, config.threshold);
  const keyShares = shamirSplit(
    fromBase64(state.maskKeys.secretKey, 32),
    holders.length,
    config.threshold,
  );
  let own: { selfMask: ShareOpening; maskKey: ShareOpening } | null = null;
  const shares: ShareRecord[] = [];
  const agreements = agreementsWith(
    state.senderSecretKey!,
    state.advertisement.senderKey,
    neighbours.map((v) => keyFor.get(v)!.key),
  );
  holders.forEach((holder, i) => {
    const bundle = { selfMask: newOpening(selfShares[i]!), maskKey: newOpening(keyShares[i]!) };
    if (holder === me) {
      own = bundle;
      return;
    }
    const key = keyFor.get(holder)!;
    const base = {
      from: me,
      to: holder,
      rosterHash: hash,
      keyIndex: key.index,
      selfMaskCommitment: shareCommitment(digest, 'self-mask', me, holder, bundle.selfMask),
      maskKeyCommitment: shareCommitment(digest, 'mask-key', me, holder, bundle.maskKey),
    };
    const cipherKey = shareCipherKey(digest, agreements[neighbours.indexOf(holder)]!, base);
    const plaintext = utf8(JSON.stringify({ from: me, to: holder, ...bundle }));
    const ciphertext = seal(cipherKey, plaintext, recordBytes(digest, base));
    const signed = { ...base, ciphertext };
    shares.push({
      ...signed,
      signature: signEd25519(identity.secretKey, recordBytes(digest, signed)),
    });
  });
  const kept = own as unknown as { selfMask: ShareOpening; maskKey: ShareOpening };
  const message: ShareKeysMessage = {
    shopId: me,
    rosterHash: hash,
    seedCommitment: seedCommitment(digest, me, seed),
    ownCommitments: {
      selfMask: shareCommitment(digest, 'self-mask', me, me, kept.selfMask),
      maskKey: shareCommitment(digest, 'mask-key', me, me, kept.maskKey),
    },
    shares,
  };
  // The sender key's secret has done its work: nothing later needs it, so it is not kept.
  const { senderSecretKey: _spent, ...withoutSenderSecret } = state;
  const next: ClientState = {
    ...withoutSenderSecret,
    phase: 'shared',
    roster: entries,
    rosterHash: hash,
    config,
    neighbours,
    selfMaskSeed: toBase64(seed),
    shareMessage: message,
    heldShares: { [me]: kept },
  };
  return { state: next, message };
}

/**
 * Masked input: y = x + PRG(b) + Σ_{v>u} PRG(s_uv) − Σ_{v<u} PRG(s_uv) mod 2^k over the
 * neighbours whose shares reached us intact and whom the coordinator has not dropped. Bad shares
 * are reported with proof in the same message. `input` is the clipped, noised, encoded update.
 * Once computed the upload is fixed: a retry returns it unchanged, whatever input is passed.
 */
export function maskedInput(
  state: ClientState,
  records: ShareRecord[],
  excluded: string[],
  input: Uint32Array,
): Step<MaskedInputMessage> {
  if (state.phase !== 'shared') {
    if (state.maskedInput) return { state, message: state.maskedInput };
    throw new SecAggError('wrong-phase', `cannot upload in phase ${state.phase}`);
  }
  const { params } = state;
  const me = state.shopId;
  if (input.length !== params.vectorLength)
    throw new SecAggError(
      'malformed',
      `input has ${input.length} elements, round expects ${params.vectorLength}`,
    );
  const mask = ringMask(params.modulusBits);
  if (input.some((w) => w > mask))
    throw new SecAggError('malformed', 'input is not reduced mod 2^k');
  const neighbours = new Set(state.neighbours);
  const roster = new Map(state.roster!.map((e) => [e.shopId, e]));
  const heldShares = { ...state.heldShares };
  const intact: string[] = [];
  const reports: ShareReport[] = [];
  const seen = new Set<string>();
  for (const record of records) {
    if (
      record.to !== me ||
      !neighbours.has(record.from) ||
      heldShares[record.from] ||
      seen.has(record.from)
    )
      throw new SecAggError('malformed', `share from ${record.from} to ${record.to} is not for us`);
    seen.add(record.from);
    // An honest coordinator refuses records bound to another roster; one reaching us is a split view.
    if (record.rosterHash !== state.rosterHash)
      throw new SecAggError('split-roster', `${record.from} shared to a different roster`);
    const opened = openRecord(state, record, roster.get(record.from)!);
    if (opened.ok) {
      heldShares[record.from] = opened.bundle;
      intact.push(record.from);
    } else reports.push(opened.report);
  }
  const gone = new Set(excluded);
  const maskedWith = sortIds(intact.filter((id) => !gone.has(id)));
  if (maskedWith.length + 1 < state.config!.threshold)
    throw new SecAggError(
      'below-threshold',
      `only ${maskedWith.length + 1} shops around us shared keys, threshold is ${state.config!.threshold}`,
    );
  const y = Uint32Array.from(input);
  const masks: MaskTerm[] = [
    {
      key: selfMaskKey(state.paramsDigest, fromBase64(state.selfMaskSeed!, 32), me),
      sign: 1,
    },
    ...maskedWith.map((v) => ({
      key: pairwiseMaskKey(
        state.paramsDigest,
        state.maskKeys.secretKey,
        roster.get(v)!.maskKey,
        me,
        v,
        state.maskKeys.publicKey,
      ),
      sign: v > me ? (1 as const) : (-1 as const),
    })),
  ];
  addMasksInPlace(y, masks, params.modulusBits);
  const message: MaskedInputMessage = { shopId: me, masked: wordsToBase64(y), maskedWith, reports };
  return {
    state: { ...state, phase: 'masked', heldShares, maskedWith, maskedInput: message },
    message,
  };
}
