/**
 * The masks both roles must compute identically: the pairwise mask keys from X25519 agreement
 * and the self mask from a shop's seed, each bound to the round (via the parameter digest) and
 * to the ordered pair of shop ids, and expanded into ring vectors by the PRG.
 */
import { fromBase64 } from './bytes.ts';
import { agree, hkdf } from './primitives.ts';
import { maskVector } from './ring.ts';

type VectorShape = { vectorLength: number; modulusBits: number };

function pairLabel(a: string, b: string): string {
  const [lo, hi] = a < b ? [a, b] : [b, a];
  return JSON.stringify([lo, hi]);
}

/** s_uv: the PRG key of the pairwise mask between u and v, from the mask-key agreement. */
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

export function selfMask(params: VectorShape, digest: string, seed: Uint8Array, shopId: string) {
  return maskVector(selfMaskKey(digest, seed, shopId), params.vectorLength, params.modulusBits);
}

export function pairwiseMask(params: VectorShape, key: Uint8Array): Uint32Array {
  return maskVector(key, params.vectorLength, params.modulusBits);
}
