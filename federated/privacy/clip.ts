/** Per-shop L2 clipping: the only bound on what one bakery can move the shared model by. */

export function l2Norm(values: ArrayLike<number>): number {
  // Scaled sum of squares, so huge or tiny updates neither overflow nor underflow.
  let scale = 0;
  for (let i = 0; i < values.length; i++) scale = Math.max(scale, Math.abs(values[i]!));
  if (scale === 0 || !Number.isFinite(scale)) return scale;
  let sum = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i]! / scale;
    sum += v * v;
  }
  return scale * Math.sqrt(sum);
}

export type Clipped = {
  clipped: Float64Array;
  /** The norm before clipping; stays on the shop (it is shown in the ledger, never sent). */
  norm: number;
  wasClipped: boolean;
};

/** Scales the update down to norm C when it is longer; shorter updates pass unchanged. */
export function clipToNorm(update: ArrayLike<number>, clipNorm: number): Clipped {
  if (!(clipNorm > 0) || !Number.isFinite(clipNorm))
    throw new RangeError('clip norm must be positive');
  for (let i = 0; i < update.length; i++) {
    if (!Number.isFinite(update[i]!)) throw new RangeError(`update value ${i} is not finite`);
  }
  const norm = l2Norm(update);
  const factor = norm > clipNorm ? clipNorm / norm : 1;
  const clipped = new Float64Array(update.length);
  for (let i = 0; i < update.length; i++) clipped[i] = update[i]! * factor;
  return { clipped, norm, wasClipped: factor < 1 };
}
