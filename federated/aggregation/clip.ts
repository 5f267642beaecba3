import { clipToNorm, l2Norm } from '../privacy/clip.ts';

export { l2Norm };

/**
 * L2 clipping of an update before it leaves a shop, in float32 as it travels. The clipping
 * itself is the privacy module's `clipToNorm` (one definition for plain and secure rounds).
 */
export function clipUpdate(
  update: Float32Array,
  clipNorm: number,
): { clipped: Float32Array; norm: number; scale: number } {
  const { clipped, norm } = clipToNorm(update, clipNorm);
  return {
    clipped: Float32Array.from(clipped),
    norm,
    scale: norm > clipNorm ? clipNorm / norm : 1,
  };
}

/** float32 rounding can push a clipped vector a hair over the bound; accept that much. */
export function withinClipBound(norm: number, clipNorm: number): boolean {
  return norm <= clipNorm * (1 + 1e-4) + 1e-6;
}

export function allFinite(values: ArrayLike<number>): boolean {
  for (let i = 0; i < values.length; i++) if (!Number.isFinite(values[i]!)) return false;
  return true;
}
