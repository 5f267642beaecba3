/**
 * Adaptive clipping (Andrew, Thakkar, McMahan, Ramaswamy, "Differentially Private Learning with
 * Adaptive Clipping", NeurIPS 2021). Each shop also contributes the centred bit
 * (1[‖Δ‖ ≤ C] − ½); its noised sum estimates the fraction b̃ of unclipped shops and the clip
 * norm moves geometrically toward the target quantile γ: C ← C·exp(−η·(b̃ − γ)).
 *
 * The bit rides in the same secure sum as one extra coordinate, scaled by C so it shares the
 * update's fixed-point range. Its sensitivity is ½ with noise σ_b, so to keep the overall
 * noise multiplier z the update itself is noised with z_Δ = (z⁻² − (2σ_b)⁻²)^(-1/2)
 * (their Theorem 1); the accountant then charges the round at z.
 */

export type AdaptiveClipping = {
  /** γ: fraction of shops whose update should fit under C (0.5 = median). */
  targetQuantile: number;
  /** η_C: geometric learning rate of the clip norm. */
  learningRate: number;
  /** σ_b: noise multiplier of the clipped-count estimate (the paper suggests about m/20). */
  bitNoiseMultiplier: number;
};

export const DEFAULT_ADAPTIVE_CLIPPING: AdaptiveClipping = {
  targetQuantile: 0.5,
  learningRate: 0.2,
  bitNoiseMultiplier: 1,
};

/** z_Δ for the update so that update plus clip bit together cost exactly z. */
export function updateNoiseMultiplier(noiseMultiplier: number, bitNoiseMultiplier: number): number {
  if (noiseMultiplier === 0) return 0;
  const remaining = noiseMultiplier ** -2 - (2 * bitNoiseMultiplier) ** -2;
  if (!(remaining > 0))
    throw new RangeError('the clip-bit noise must exceed half the noise multiplier (2·σ_b > z)');
  return remaining ** -0.5;
}

/** The extra coordinate a shop contributes: C·(1[norm ≤ C] − ½). */
export function clipBitCoordinate(norm: number, clipNorm: number): number {
  return clipNorm * ((norm <= clipNorm ? 1 : 0) - 0.5);
}

/** From the unmasked sum of that coordinate over m shops: the noised fraction of unclipped shops. */
export function unclippedFraction(
  coordinateSum: number,
  clipNorm: number,
  participants: number,
): number {
  return (coordinateSum / clipNorm + participants / 2) / participants;
}

export function nextClipNorm(clipNorm: number, fraction: number, config: AdaptiveClipping): number {
  return clipNorm * Math.exp(-config.learningRate * (fraction - config.targetQuantile));
}
