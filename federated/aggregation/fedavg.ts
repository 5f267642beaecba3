/**
 * Weighted federated averaging (McMahan et al. 2017). Sums in float64 so the result does not
 * depend on the order shops uploaded in beyond float32 rounding of the final value.
 */
export type WeightedUpdate = { delta: Float32Array; weight: number };

export function sampleWeight(
  sampleCount: number,
  weighting: 'samples' | 'equal',
  cap: number,
): number {
  if (weighting === 'equal') return 1;
  return Math.max(1, Math.min(Math.floor(sampleCount), cap));
}

export function weightedAverage(updates: readonly WeightedUpdate[]): Float64Array {
  const first = updates[0];
  if (!first) throw new RangeError('no updates to average');
  const length = first.delta.length;
  const sum = new Float64Array(length);
  let total = 0;
  for (const { delta, weight } of updates) {
    if (delta.length !== length) throw new RangeError('updates differ in length');
    if (!(weight > 0) || !Number.isFinite(weight)) throw new RangeError('weights must be positive');
    for (let i = 0; i < length; i++) sum[i]! += delta[i]! * weight;
    total += weight;
  }
  for (let i = 0; i < length; i++) sum[i]! /= total;
  return sum;
}
