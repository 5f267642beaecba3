/**
 * Derivations both roles compute identically in an active-adversary round: the parameter digest,
 * the bytes each signature covers, the roster hash and the graph drawn from it, the per-sender
 * share keys and the ECIES share encryption. Every label starts with the protocol version, every
 * derived key is bound to the round digest and, from the share phase on, to the roster hash.
 */
import { SecAggError, fromBase64, toBase64, utf8 } from './bytes.ts';
import { randomRegularGraph } from './graph.ts';
import { PROTOCOL, generateX25519, hkdf, sha256 } from './primitives.ts';
import type { RoundConfig } from './round-config.ts';
import type { Advertisement, RosterEntry, SecAggParams, ShareRecord } from './round-types.ts';
import { MAX_SHAMIR_SHARES } from './shamir.ts';
import { ringMask } from './ring.ts';

/** Largest roster the wire and the bounds accept; far above a bakery consortium. */
export const MAX_ROUND_SHOPS = 10_000;

export function validateParams(params: SecAggParams): void {
  if (typeof params.roundId !== 'string' || params.roundId === '' || params.roundId.length > 200)
    throw new SecAggError('malformed', 'roundId must be a non-empty string');
  if (!Number.isInteger(params.vectorLength) || params.vectorLength < 1)
    throw new SecAggError('malformed', 'vectorLength must be a positive whole number');
  ringMask(params.modulusBits);
  if (
    !Number.isInteger(params.maxShops) ||
    params.maxShops < 2 ||
    params.maxShops > MAX_ROUND_SHOPS
  )
    throw new SecAggError(
      'malformed',
      `maxShops must be a whole number from 2 to ${MAX_ROUND_SHOPS}`,
    );
  const c = params.colluders;
  if (c !== null && (!Number.isInteger(c) || c < 0 || c >= params.maxShops))
    throw new SecAggError('malformed', 'colluders must be null or a whole number below maxShops');
  if (!['auto', 'complete', 'secagg+'].includes(params.graph))
    throw new SecAggError('malformed', "graph must be 'auto', 'complete' or 'secagg+'");
}

/** Canonical digest of the round parameters; every signature and key of the round is bound to it. */
export function paramsDigest(params: SecAggParams): string {
  validateParams(params);
  const canonical = JSON.stringify([
    PROTOCOL,
    params.roundId,
    params.vectorLength,
    params.modulusBits,
    params.maxShops,
    params.colluders,
    params.graph,
  ]);
  return toBase64(sha256(utf8(canonical)));
}

/** Share keys a shop advertises: one per possible sender (a neighbourhood never exceeds 254). */
export function shareKeyCount(params: SecAggParams): number {
  return Math.min(MAX_SHAMIR_SHARES - 1, params.maxShops - 1);
}

export function advertisementBytes(
  digest: string,
  ad: Pick<Advertisement, 'shopId' | 'maskKey' | 'shareKeysRoot' | 'shareKeyCount' | 'senderKey'>,
): Uint8Array {
  return utf8(
    JSON.stringify([
      `${PROTOCOL}/advertise`,
      digest,
      ad.shopId,
      ad.maskKey,
      ad.shareKeysRoot,
      ad.shareKeyCount,
      ad.senderKey,
    ]),
  );
}

/** The roster's identity: every entry, sorted by shop id. Shares and signatures are bound to it. */
export function rosterHash(digest: string, roster: RosterEntry[]): string {
  const lines = [...roster]
    .sort((a, b) => (a.shopId < b.shopId ? -1 : 1))
    .map((e) => [
      e.shopId,
      e.identityKey,
      e.maskKey,
      e.shareKeysRoot,
      e.shareKeyCount,
      e.senderKey,
      e.signature,
    ]);
  return toBase64(sha256(utf8(JSON.stringify([`${PROTOCOL}/roster`, digest, lines]))));
}

/** Fresh share keys for one round: secret j decrypts what this shop's neighbour number j sends. */
export function newShareKeys(count: number): { secrets: string[]; keys: string[] } {
  const pairs = Array.from({ length: count }, () => generateX25519());
  return { secrets: pairs.map((p) => p.secretKey), keys: pairs.map((p) => p.publicKey) };
}

/**
 * AES-256-GCM key of one share record: the agreement of the sender's signed sender key with the
 * recipient's share key for that sender, and everything the record binds.
 */
export function shareCipherKey(
  digest: string,
  agreement: Uint8Array,
  record: Pick<ShareRecord, 'from' | 'to' | 'rosterHash' | 'keyIndex'>,
): Uint8Array {
  return hkdf(
    agreement,
    fromBase64(digest),
    `share|${JSON.stringify([record.from, record.to, record.rosterHash, record.keyIndex])}`,
    32,
  );
}

/** What the sender signs (and the cipher authenticates): the record without its signature. */
export function recordBytes(
  digest: string,
  record: Omit<ShareRecord, 'signature' | 'ciphertext'> & { ciphertext?: string },
): Uint8Array {
  return utf8(
    JSON.stringify([
      `${PROTOCOL}/share-record`,
      digest,
      record.from,
      record.to,
      record.rosterHash,
      record.keyIndex,
      record.selfMaskCommitment,
      record.maskKeyCommitment,
      record.ciphertext === undefined ? null : toBase64(sha256(utf8(record.ciphertext))),
    ]),
  );
}

/** What every survivor signs in the consistency check: U3 for this round and this roster. */
export function confirmBytes(digest: string, roster: string, survivors: string[]): Uint8Array {
  return utf8(JSON.stringify([`${PROTOCOL}/confirm`, digest, roster, [...survivors].sort()]));
}

export function seedCommitment(digest: string, shopId: string, seed: Uint8Array): string {
  return toBase64(sha256(utf8(JSON.stringify([`${PROTOCOL}/seed-commit`, digest, shopId])), seed));
}

/** Who neighbours whom in a round: the complete graph, or the SecAgg+ graph drawn from the roster. */
export class RoundGraph {
  readonly ids: string[];
  private readonly position = new Map<string, number>();
  /** Neighbours by position in `ids`, ascending; null on the complete graph. */
  private readonly adjacency: Int32Array[] | null;
  // Lists of ids are made when first asked for: a shop needs its own, the coordinator all.
  private readonly lists = new Map<number, string[]>();

  constructor(digest: string, hash: string, ids: string[], config: RoundConfig) {
    this.ids = [...ids].sort();
    this.ids.forEach((id, i) => this.position.set(id, i));
    if (config.graph === 'complete') {
      this.adjacency = null;
      return;
    }
    const seed = sha256(utf8(JSON.stringify([`${PROTOCOL}/graph`, digest, hash])));
    this.adjacency = randomRegularGraph(this.ids.length, config.neighbours, seed);
  }

  has(id: string): boolean {
    return this.position.has(id);
  }

  private at(id: string): number {
    const at = this.position.get(id);
    if (at === undefined) throw new SecAggError('unknown-shop', `${id} is not in the roster`);
    return at;
  }

  /** The shop's neighbours, sorted, itself excluded. */
  neighbours(id: string): string[] {
    const at = this.at(id);
    let list = this.lists.get(at);
    if (!list) {
      const near = this.adjacency?.[at];
      list = near ? Array.from(near, (j) => this.ids[j]!) : this.ids.filter((_, j) => j !== at);
      this.lists.set(at, list);
    }
    return list;
  }

  /** The shop and its neighbours: who holds its shares, in the order its split assigns them. */
  holders(id: string): string[] {
    return [...this.neighbours(id), id].sort();
  }

  /** Which share key of `recipient` the sender uses: the sender's place among its neighbours. */
  keyIndex(recipient: string, sender: string): number {
    const r = this.at(recipient);
    const s = this.position.get(sender);
    // Ids are sorted, so a neighbour's place in the id list is its place in the index list.
    const index =
      s === undefined || s === r
        ? -1
        : this.adjacency
          ? placeIn(this.adjacency[r]!, s)
          : s < r
            ? s
            : s - 1;
    if (index < 0)
      throw new SecAggError('malformed', `${sender} is not a neighbour of ${recipient}`);
    return index;
  }
}

/** Index of `value` in an ascending list, or −1. */
function placeIn(sorted: Int32Array, value: number): number {
  let lo = 0;
  let hi = sorted.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const here = sorted[mid]!;
    if (here === value) return mid;
    if (here < value) lo = mid + 1;
    else hi = mid - 1;
  }
  return -1;
}
