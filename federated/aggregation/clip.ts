/**
 * L2 clipping of an update. Kept as one pure function so the privacy module's `clipToNorm`
 * can replace it without touching callers.
 */
export function l2Norm(values: ArrayLike<number>): number {
  let sum = 0;
  for (let i = 0; i < values.length; i++) sum += values[i]! * values[i]!;
  return Math.sqrt(sum);
}

export function clipUpdate(
  update: Float32Array,
  clipNorm: number,
): { clipped: Float32Array; norm: number; scale: number } {
  const norm = l2Norm(update);
  const scale = norm > clipNorm && norm > 0 ? clipNorm / norm : 1;
  const clipped = new Float32Array(update.length);
  for (let i = 0; i < update.length; i++) clipped[i] = update[i]! * scale;
  return { clipped, norm, scale };
}

/** float32 rounding can push a clipped vector a hair over the bound; accept that much. */
export function withinClipBound(norm: number, clipNorm: number): boolean {
  return norm <= clipNorm * (1 + 1e-4) + 1e-6;
}

export function allFinite(values: ArrayLike<number>): boolean {
  for (let i = 0; i < values.length; i++) if (!Number.isFinite(values[i]!)) return false;
  return true;
}
