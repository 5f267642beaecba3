/**
 * Conditional randomized rounding to the integer grid (Kairouz, Liu, Steinke, "The Distributed
 * Discrete Gaussian Mechanism for Federated Learning with Secure Aggregation", ICML 2021,
 * Section 4.1 and Theorem 1; reference: `rounded_l2_norm_bound` in google-research/federated
 * distributed_dp). Each coordinate rounds up with probability equal to its fractional part, so
 * the rounded vector is unbiased; the whole vector is re-rounded until its L2 norm is at most
 *     min( c + √d, √(c² + d/4 + √(2·ln(1/β))·(c + √d/2)) ),
 * which a vector of norm ≤ c meets with probability ≥ 1 − β per attempt. The bound is what
 * the accountant uses as sensitivity, so it holds deterministically, not just likely.
 */
import type { RandomBits } from './random.ts';

/** The paper's default: at most 1/(1 − β) ≈ 2.5 expected attempts. */
export const ROUNDING_BETA = Math.exp(-0.5);

/** L2 bound of any conditionally rounded vector whose real norm is at most `norm`. */
export function roundedNormBound(norm: number, dimension: number, beta = ROUNDING_BETA): number {
  if (!(norm >= 0) || !Number.isFinite(norm)) throw new RangeError('norm must be finite and ≥ 0');
  if (!Number.isInteger(dimension) || dimension < 1)
    throw new RangeError('dimension must be a positive whole number');
  if (!(beta >= 0 && beta < 1)) throw new RangeError('beta must be within [0, 1)');
  const plain = norm + Math.sqrt(dimension);
  if (beta === 0) return plain;
  const conditional = Math.sqrt(
    norm * norm +
      dimension / 4 +
      Math.sqrt(2 * Math.log(1 / beta)) * (norm + Math.sqrt(dimension) / 2),
  );
  return Math.min(plain, conditional);
}

function squaredNorm(values: Float64Array): number {
  let sum = 0;
  for (let i = 0; i < values.length; i++) sum += values[i]! * values[i]!;
  return sum;
}

/**
 * Rounds `values` (already scaled to the integer grid) into integers with L2 norm ≤ `bound`.
 * Refuses after 1,000 attempts: only an input whose own norm exceeds the bound gets there.
 */
export function conditionalRound(
  values: Float64Array,
  bound: number,
  bits: RandomBits,
): { rounded: Float64Array; attempts: number } {
  const rounded = new Float64Array(values.length);
  // A float sum of d positive squares is within (d + 2)·2^-52 of the exact one (relative), so
  // shrinking the limit by that much makes "computed ≤ limit" imply "exact ≤ bound²".
  const limit = bound * bound * (1 - (values.length + 2) * 2 ** -52);
  for (let attempt = 1; attempt <= 1000; attempt++) {
    for (let i = 0; i < values.length; i++) {
      const v = values[i]!;
      const floor = Math.floor(v);
      // 32 random bits per coordinate: the rounding only has to be unbiased, the norm bound
      // (the privacy-relevant part) is enforced exactly below.
      rounded[i] = floor + (bits.unit32() < v - floor ? 1 : 0);
    }
    if (squaredNorm(rounded) <= limit) return { rounded, attempts: attempt };
  }
  throw new RangeError('the vector cannot be rounded within its norm bound');
}
