/**
 * What a shop checks of what it is sent before it acts on it: the roster (every line signed by
 * its member, its own line unchanged, the round's configuration recomputed from the roster's size
 * and held against the bakery's policy) and each share record addressed to it (the sender's
 * signature, the key index, the decryption and the commitments), where anything wrong becomes a
 * report that proves it.
 */
import { SecAggError } from './bytes.ts';
import { agree, open, verifyEd25519 } from './primitives.ts';
import { minimumThreshold, roundConfig, type RoundConfig } from './round-config.ts';
import { advertisementBytes, recordBytes, rosterHash, shareCipherKey } from './round-protocol.ts';
import type { ClientState, RosterEntry, ShareRecord, ShareReport } from './round-types.ts';
import { shareCommitment, type ShareOpening } from './shamir.ts';

/**
 * An Ed25519 check of (public key, message, signature). Injectable only so a load harness that
 * runs thousands of simulated shops in one process can reuse one check of byte-identical inputs;
 * every shop of the app and of the benchmarks uses verifyEd25519.
 */
export type SignatureCheck = (publicKey: string, message: Uint8Array, signature: string) => boolean;

/**
 * What the bakery's policy demands beyond the protocol's own floor. A policy can only raise the
 * minimums: the shop refuses a round below them, it never changes the round.
 */
export type ShopRequirements = {
  /** Fewest survivors accepted for a roster of n; the protocol's floor is floor(2n/3) + 1. */
  minimumThreshold?: (n: number) => number;
  /** Fewest colluders the round must be sized against, for a roster of n. */
  minColluders?: (n: number) => number;
  /** Fewest shops in the round. */
  minShops?: number;
};

/**
 * Checks every roster line's signature, that ours is there unchanged, and derives the round's
 * configuration from the roster's size; refuses (with a code) what the bakery does not accept.
 */
export function verifyRoster(
  state: ClientState,
  roster: RosterEntry[],
  requirements: ShopRequirements = {},
  verify: SignatureCheck = verifyEd25519,
): { entries: RosterEntry[]; hash: string; config: RoundConfig } {
  const entries = [...roster].sort((a, b) => (a.shopId < b.shopId ? -1 : 1));
  if (new Set(entries.map((e) => e.shopId)).size !== entries.length)
    throw new SecAggError('roster-duplicate', 'a shop appears twice in the roster');
  const keys = entries.flatMap((e) => [e.maskKey, e.shareKeysRoot, e.senderKey, e.identityKey]);
  if (new Set(keys).size !== keys.length)
    throw new SecAggError('roster-duplicate', 'the roster reuses a key');
  for (const entry of entries) {
    if (!verify(entry.identityKey, advertisementBytes(state.paramsDigest, entry), entry.signature))
      throw new SecAggError(
        'roster-forged',
        `the roster line of ${entry.shopId} is not signed by its identity`,
      );
  }
  const mine = entries.find((e) => e.shopId === state.shopId);
  const ad = state.advertisement;
  if (
    !mine ||
    mine.maskKey !== ad.maskKey ||
    mine.shareKeysRoot !== ad.shareKeysRoot ||
    mine.shareKeyCount !== ad.shareKeyCount ||
    mine.senderKey !== ad.senderKey
  )
    throw new SecAggError(
      'own-advert-altered',
      'our own advertisement is missing or altered in the roster',
    );
  const n = entries.length;
  if (entries.some((e) => e.shareKeyCount !== ad.shareKeyCount))
    throw new SecAggError(
      'roster-forged',
      'a roster line advertises the wrong number of share keys',
    );
  if (n < (requirements.minShops ?? 2))
    throw new SecAggError(
      'roster-too-small',
      `the roster has ${n} shops, the bakery requires ${requirements.minShops}`,
    );
  const config = roundConfig(state.params, n);
  const wanted = Math.max(minimumThreshold(n), requirements.minimumThreshold?.(n) ?? 0);
  if (config.minSurvivors < wanted)
    throw new SecAggError(
      'threshold-below-policy',
      `the round needs ${config.minSurvivors} of ${n} shops to survive, the bakery requires ${wanted}`,
    );
  const colluders = requirements.minColluders?.(n) ?? 0;
  if (config.colluders < colluders)
    throw new SecAggError(
      'colluders-below-policy',
      `the round withstands ${config.colluders} colluders, the bakery requires ${colluders}`,
    );
  return { entries, hash: rosterHash(state.paramsDigest, entries), config };
}

export type Opened =
  | { ok: true; bundle: { selfMask: ShareOpening; maskKey: ShareOpening } }
  | { ok: false; report: ShareReport };

/** The shape of an opening; its bytes are checked when its commitment is computed from them. */
function isOpening(value: unknown): value is ShareOpening {
  if (typeof value !== 'object' || value === null) return false;
  const o = value as Record<string, unknown>;
  return typeof o.share === 'string' && typeof o.nonce === 'string';
}

/**
 * Opens one record addressed to us; anything wrong becomes a report that proves it.
 * The sender's signature is checked only when the record fails. The cipher key comes from the
 * sender's signed sender key and our share key for that sender, so a ciphertext that
 * authenticates (over every field of the record, commitments included) was made by the sender:
 * no one else holds either secret. When the record fails, the signature decides what we prove:
 * a bad one is reported as such and our share key stays secret (the coordinator may have altered
 * the record), a valid one makes the failure the sender's and we reveal that one key as proof.
 */
export function openRecord(
  state: ClientState,
  record: ShareRecord,
  sender: RosterEntry,
  verify: SignatureCheck = verifyEd25519,
): Opened {
  const digest = state.paramsDigest;
  const me = state.shopId;
  const fail = (reason: ShareReport['reason'], secret: string | null): Opened =>
    verify(sender.identityKey, recordBytes(digest, record), record.signature)
      ? { ok: false, report: { reason, record, shareSecretKey: secret } }
      : { ok: false, report: { reason: 'bad-signature', record, shareSecretKey: null } };
  // A key index other than the sender's own would make us reveal the key of another sender.
  if (record.keyIndex !== state.neighbours!.indexOf(record.from))
    return fail('wrong-key-index', null);
  const secret = state.shareKeySecrets[record.keyIndex]!;
  let plain: Uint8Array;
  try {
    const own = state.advertisement.shareKeys[record.keyIndex];
    const cipherKey = shareCipherKey(digest, agree(secret, sender.senderKey, own, true), record);
    plain = open(
      cipherKey,
      record.ciphertext,
      recordBytes(digest, { ...record, ciphertext: undefined }),
    );
  } catch {
    return fail('undecryptable', secret);
  }
  let parsed: Record<string, unknown>;
  try {
    parsed = JSON.parse(new TextDecoder().decode(plain)) as Record<string, unknown>;
  } catch {
    return fail('bad-plaintext', secret);
  }
  if (
    parsed.from !== record.from ||
    parsed.to !== me ||
    !isOpening(parsed.selfMask) ||
    !isOpening(parsed.maskKey)
  )
    return fail('bad-plaintext', secret);
  const bundle = { selfMask: parsed.selfMask, maskKey: parsed.maskKey };
  let committed: boolean;
  try {
    committed =
      shareCommitment(digest, 'self-mask', record.from, me, bundle.selfMask) ===
        record.selfMaskCommitment &&
      shareCommitment(digest, 'mask-key', record.from, me, bundle.maskKey) ===
        record.maskKeyCommitment;
  } catch {
    // A share or nonce that is not canonical base64 of its length.
    return fail('bad-plaintext', secret);
  }
  if (!committed) return fail('commitment-mismatch', secret);
  return { ok: true, bundle };
}
