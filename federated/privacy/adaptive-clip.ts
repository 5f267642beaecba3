/**
 * Adaptive clipping (Andrew, Thakkar, McMahan, Ramaswamy, "Differentially Private Learning with
 * Adaptive Clipping", NeurIPS 2021). Each shop also contributes the centred bit
 * (1[‖Δ‖ ≤ C] − ½) as one coordinate of the secure sum (plan.ts gives it its share of the
 * sensitivity, so the round's one noise multiplier covers it); from the noised sum the
 * coordinator estimates the fraction b̃ of unclipped shops and moves the clip norm
 * geometrically toward the target quantile γ: C ← C·exp(−η·(b̃ − γ)).
 */

export type AdaptiveClipping = {
  /** γ: fraction of shops whose update should fit under C (0.5 = median). */
  targetQuantile: number;
  /** η_C: geometric learning rate of the clip norm. */
  learningRate: number;
};

export const DEFAULT_ADAPTIVE_CLIPPING: AdaptiveClipping = {
  targetQuantile: 0.5,
  learningRate: 0.2,
};

export function nextClipNorm(clipNorm: number, fraction: number, config: AdaptiveClipping): number {
  return clipNorm * Math.exp(-config.learningRate * (fraction - config.targetQuantile));
}
