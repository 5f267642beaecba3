/**
 * One in-memory active-adversary SecAgg round with chosen dropouts (simulation/secagg-round.ts:
 * every state and message through JSON and its wire schema, as over HTTP).
 */
import { ringAddInPlace } from '../../../federated/secagg/ring.ts';
import type { SecAggParams } from '../../../federated/secagg/round-types.ts';
import { createShopIdentity } from '../../../federated/secagg/shop-round.ts';
import { runActiveRound, type Drops, type RoundRun } from '../../../simulation/secagg-round.ts';

export function shopIds(n: number): string[] {
  return Array.from({ length: n }, (_, i) => `shop-${String(i).padStart(2, '0')}`);
}

/** Runs a round of these shops' inputs; the parameters default to a complete graph on Z_2^32. */
export async function runRound(
  params: Partial<SecAggParams> & { roundId: string; vectorLength: number },
  inputs: Record<string, Uint32Array>,
  drops: Drops = {},
): Promise<RoundRun> {
  const ids = Object.keys(inputs);
  return runActiveRound({
    params: {
      modulusBits: 32,
      maxShops: ids.length,
      colluders: null,
      graph: 'auto',
      ...params,
    },
    shops: ids.map((id) => createShopIdentity(id)),
    inputOf: (id) => inputs[id]!,
    drops,
  });
}

export function plainSum(vectors: Uint32Array[], length: number, modulusBits: number): Uint32Array {
  const sum = new Uint32Array(length);
  for (const v of vectors) ringAddInPlace(sum, v, modulusBits);
  return sum;
}
