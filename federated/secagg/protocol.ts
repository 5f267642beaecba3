/**
 * Derivations both roles must compute identically: the parameter digest, the signed advert
 * bytes, the per-pair keys, the mask vectors and the Shamir wrappers. Every derived key is
 * bound to the round (via the parameter digest) and to the ordered pair of shop ids.
 */
import { SecAggError, fromBase64, toBase64, utf8 } from './bytes.ts';
import { MAX_SHAMIR_SHARES, shamirCombine as combine, shamirSplit as split } from './shamir.ts';
import { PROTOCOL, agree, hkdf, sha256 } from './primitives.ts';
import { addMaskInPlace, maskVector, ringMask } from './ring.ts';
import type { Advertisement, SecAggParams } from './types.ts';

export { SHARE_BYTES, MAX_SHAMIR_SHARES } from './shamir.ts';

/** Whether this roster size runs on the complete graph (no SecAgg+, or k covers everyone). */
export function isCompleteGraph(params: SecAggParams, rosterSize: number): boolean {
  const k = params.neighbours ?? null;
  return k === null || k >= rosterSize - 1;
}

/** The roster-size refusal, or null: the complete graph cannot hold more than 255 shops. */
export function rosterSizeProblem(params: SecAggParams, rosterSize: number): string | null {
  if (isCompleteGraph(params, rosterSize) && rosterSize > MAX_SHAMIR_SHARES)
    return `at most ${MAX_SHAMIR_SHARES} shops per round on the complete graph (${rosterSize} advertised); use SecAgg+ neighbours for larger rounds`;
  return null;
}

export function validateParams(params: SecAggParams): void {
  if (typeof params.roundId !== 'string' || params.roundId === '' || params.roundId.length > 200)
    throw new SecAggError('malformed', 'roundId must be a non-empty string');
  // The Shamir library works over GF(2^8): at most 255 shares, threshold at least 2.
  if (!Number.isInteger(params.threshold) || params.threshold < 2 || params.threshold > 255)
    throw new SecAggError('malformed', 'threshold must be a whole number from 2 to 255');
  if (!Number.isInteger(params.vectorLength) || params.vectorLength < 1)
    throw new SecAggError('malformed', 'vectorLength must be a positive whole number');
  ringMask(params.modulusBits);
  const k = params.neighbours;
  if (k !== undefined && k !== null) {
    if (!Number.isInteger(k) || k < 2 || k % 2 !== 0)
      throw new SecAggError('malformed', 'neighbours must be an even whole number of at least 2');
    if (params.threshold > k + 1)
      throw new SecAggError('malformed', 'threshold cannot exceed neighbours + 1');
    if (k + 1 > MAX_SHAMIR_SHARES)
      throw new SecAggError(
        'malformed',
        `neighbours + 1 cannot exceed ${MAX_SHAMIR_SHARES} (one Shamir split per neighbourhood)`,
      );
  }
}

/** Canonical digest of the round parameters; a shop signs it, so all agree on t, d and k. */
export function paramsDigest(params: SecAggParams): string {
  validateParams(params);
  const canonical = JSON.stringify([
    PROTOCOL,
    params.roundId,
    params.threshold,
    params.vectorLength,
    params.modulusBits,
    params.neighbours ?? null,
  ]);
  return toBase64(sha256(utf8(canonical)));
}

export function advertisementBytes(
  digest: string,
  ad: Pick<Advertisement, 'shopId' | 'cPublicKey' | 'sPublicKey'>,
): Uint8Array {
  return utf8(
    JSON.stringify([`${PROTOCOL}/advertise`, digest, ad.shopId, ad.cPublicKey, ad.sPublicKey]),
  );
}

function pairLabel(a: string, b: string): string {
  const [lo, hi] = a < b ? [a, b] : [b, a];
  return JSON.stringify([lo, hi]);
}

/** AES-GCM key for share bundles between two shops (same key in both directions). */
export function shareEncryptionKey(
  digest: string,
  mySecret: string,
  peerPublic: string,
  me: string,
  peer: string,
): Uint8Array {
  return hkdf(
    agree(mySecret, peerPublic),
    fromBase64(digest),
    `share-key|${pairLabel(me, peer)}`,
    32,
  );
}

export function shareAssociatedData(digest: string, from: string, to: string): Uint8Array {
  return utf8(JSON.stringify([`${PROTOCOL}/share`, digest, from, to]));
}

/** s_uv: the PRG key of the pairwise mask between u and v, from the s-key agreement. */
export function pairwiseMaskKey(
  digest: string,
  mySecret: string,
  peerPublic: string,
  me: string,
  peer: string,
  myPublic?: string,
): Uint8Array {
  return hkdf(
    agree(mySecret, peerPublic, myPublic),
    fromBase64(digest),
    `pairwise-mask|${pairLabel(me, peer)}`,
    32,
  );
}

/** PRG key of the self mask from the seed b (a separate label keeps b itself off the keystream). */
export function selfMaskKey(digest: string, seed: Uint8Array, shopId: string): Uint8Array {
  return hkdf(seed, fromBase64(digest), `self-mask|${JSON.stringify(shopId)}`, 32);
}

export function selfMaskCommitment(digest: string, shopId: string, seed: Uint8Array): string {
  return toBase64(
    sha256(utf8(JSON.stringify([`${PROTOCOL}/self-mask-commit`, digest, shopId])), seed),
  );
}

type VectorShape = Pick<SecAggParams, 'vectorLength' | 'modulusBits'>;

export function selfMask(params: VectorShape, digest: string, seed: Uint8Array, shopId: string) {
  return maskVector(selfMaskKey(digest, seed, shopId), params.vectorLength, params.modulusBits);
}

/** y ± PRG(b) in place: the self mask added (+1) by its owner, removed (−1) by the coordinator. */
export function applySelfMask(
  target: Uint32Array,
  params: VectorShape,
  digest: string,
  seed: Uint8Array,
  shopId: string,
  sign: 1 | -1,
): void {
  addMaskInPlace(target, selfMaskKey(digest, seed, shopId), params.modulusBits, sign);
}

export function pairwiseMask(params: VectorShape, key: Uint8Array): Uint32Array {
  return maskVector(key, params.vectorLength, params.modulusBits);
}

/** t-of-n Shamir shares, base64, in recipient order. */
export async function shamirSplit(secret: Uint8Array, n: number, t: number): Promise<string[]> {
  return Promise.resolve(split(secret, n, t));
}

/**
 * Rebuilds a secret. Below threshold the result is garbage, so callers check it against a
 * commitment; here we only refuse obviously too few or malformed shares.
 */
export async function shamirCombine(shares: string[], threshold: number): Promise<Uint8Array> {
  if (shares.length < threshold)
    throw new SecAggError('below-threshold', `${shares.length} shares, ${threshold} needed`);
  return Promise.resolve(combine(shares));
}

/**
 * The SecAgg+ communication graph: shops placed on a ring in an order fixed by a hash of the
 * round and their id (so no one picks their neighbours), each linked to the k/2 nearest on
 * either side (a Harary graph). Complete graph when neighbours is unset or the roster is small.
 * Returns each shop's neighbours, itself excluded.
 */
export function neighbourhoods(
  params: SecAggParams,
  digest: string,
  ids: string[],
): Map<string, Set<string>> {
  const k = params.neighbours ?? null;
  // Built only for the complete graph: it is quadratic in the roster, which SecAgg+ avoids.
  if (k === null || isCompleteGraph(params, ids.length))
    return new Map(ids.map((id) => [id, new Set(ids.filter((other) => other !== id))]));
  const salt = fromBase64(digest);
  const rank = new Map(ids.map((id) => [id, toBase64(sha256(salt, utf8(id)))]));
  const ring = [...ids].sort((a, b) =>
    rank.get(a)! < rank.get(b)! ? -1 : rank.get(a)! > rank.get(b)! ? 1 : 0,
  );
  const n = ring.length;
  const out = new Map<string, Set<string>>();
  ring.forEach((id, i) => {
    const near = new Set<string>();
    for (let d = 1; d <= k / 2; d++) {
      near.add(ring[(i + d) % n]!);
      near.add(ring[(i - d + n) % n]!);
    }
    out.set(id, near);
  });
  return out;
}
