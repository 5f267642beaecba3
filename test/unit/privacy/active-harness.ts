/**
 * Shared set-up of the active-adversary SecAgg tests: shops with real identities, inputs, the
 * plain sum to compare with, and the attacker's attempt to rebuild one shop's vector from
 * everything a lying coordinator (with colluding shops) collected.
 */
import { fromBase64 } from '../../../federated/secagg/bytes.ts';
import { createShopIdentity } from '../../../federated/secagg/client.ts';
import { isX25519Pair } from '../../../federated/secagg/primitives.ts';
import { pairwiseMask, pairwiseMaskKey, selfMask } from '../../../federated/secagg/protocol.ts';
import { ringAddInPlace, ringSubInPlace } from '../../../federated/secagg/ring.ts';
import { seedCommitment } from '../../../federated/secagg/round-protocol.ts';
import type { ClientState, SecAggParams } from '../../../federated/secagg/round-types.ts';
import { shamirCombine } from '../../../federated/secagg/shamir.ts';
import type { RoundRun } from '../../../simulation/secagg-round.ts';

export function shops(n: number) {
  return Array.from({ length: n }, (_, i) =>
    createShopIdentity(`shop-${String(i).padStart(3, '0')}`),
  );
}

export function params(n: number, overrides: Partial<SecAggParams> = {}): SecAggParams {
  return {
    roundId: 'test-round',
    vectorLength: 6,
    modulusBits: 32,
    maxShops: n,
    colluders: null,
    graph: 'auto',
    ...overrides,
  };
}

/** Distinct, recognisable inputs: shop i's vector is [i·1000 + j]. */
export function inputsFor(ids: string[], length = 6): Map<string, Uint32Array> {
  return new Map(
    ids.map((id, i) => [id, Uint32Array.from({ length }, (_, j) => i * 1000 + j + 1)]),
  );
}

export function plainSum(vectors: Uint32Array[], length: number): Uint32Array {
  const sum = new Uint32Array(length);
  for (const v of vectors) ringAddInPlace(sum, v, 32);
  return sum;
}

/**
 * The attacker's best try at `victim`'s vector from everything it collected: every share any shop
 * revealed, every pairwise key revealed, and all that the colluding shops know (their own mask
 * keys and the shares they hold). It needs the victim's self-mask seed (t shares) and, for each
 * neighbour the victim masked with, that pairwise key — from the victim's rebuilt mask key, the
 * neighbour's rebuilt mask key, a revealed pairwise key, or a colluding neighbour. Returns the
 * rebuilt vector, or null when some mask stays out of reach.
 */
export function attackerRebuilds(
  run: RoundRun,
  victim: string,
  colluders: ClientState[] = [],
): Uint32Array | null {
  const upload = run.transcript.uploads.get(victim);
  const roster = new Map((run.round.roster ?? []).map((e) => [e.shopId, e]));
  if (!upload || !roster.has(victim)) return null;
  const t = run.round.config!.threshold;
  const p = run.round.params;
  const digest = run.round.paramsDigest;
  const collected = (owner: string, kind: 'selfMaskShares' | 'maskKeyShares') => {
    const shares = new Set<string>();
    for (const answer of run.transcript.answers)
      if (answer[kind][owner]) shares.add(answer[kind][owner].share);
    for (const c of colluders) {
      const held = c.heldShares?.[owner];
      if (held) shares.add(kind === 'selfMaskShares' ? held.selfMask.share : held.maskKey.share);
    }
    return [...shares];
  };
  const maskSecret = (owner: string): string | null => {
    const own = colluders.find((c) => c.shopId === owner);
    if (own) return own.maskKeys.secretKey;
    const shares = collected(owner, 'maskKeyShares');
    if (shares.length < t) return null;
    const secret = Buffer.from(shamirCombine(shares.slice(0, t))).toString('base64');
    return isX25519Pair(secret, roster.get(owner)!.maskKey) ? secret : null;
  };
  const selfShares = collected(victim, 'selfMaskShares');
  if (selfShares.length < t) return null;
  const seed = shamirCombine(selfShares.slice(0, t));
  if (
    seedCommitment(digest, victim, seed) !==
    run.transcript.shareMessages.get(victim)!.seedCommitment
  )
    return null;
  const x = Uint32Array.from(upload.masked);
  ringSubInPlace(x, selfMask(p, digest, seed, victim), p.modulusBits);
  const victimSecret = maskSecret(victim);
  for (const v of upload.maskedWith) {
    let key: Uint8Array | null = null;
    const revealed =
      run.transcript.answers.find((a) => a.shopId === victim)?.pairwiseKeys[v] ??
      run.transcript.answers.find((a) => a.shopId === v)?.pairwiseKeys[victim];
    if (revealed) key = fromBase64(revealed, 32);
    else if (victimSecret)
      key = pairwiseMaskKey(digest, victimSecret, roster.get(v)!.maskKey, victim, v);
    else {
      const other = maskSecret(v);
      if (other) key = pairwiseMaskKey(digest, other, roster.get(victim)!.maskKey, v, victim);
    }
    if (!key) return null;
    const m = pairwiseMask(p, key);
    if (v > victim) ringSubInPlace(x, m, p.modulusBits);
    else ringAddInPlace(x, m, p.modulusBits);
  }
  return x;
}

export const sameVector = (a: Uint32Array | null, b: Uint32Array) =>
  a !== null && a.length === b.length && a.every((v, i) => v === b[i]);

export { fromBase64 };
