/**
 * The one robust step that works on a securely aggregated sum. A masked input cannot be checked
 * (it is uniformly random to the coordinator), so a malicious shop can put any ring element in
 * any coordinate. What can be checked is the recovered sum Σ = h + e: each honest contribution,
 * rounded to the grid, has L2 norm at most Δ̃ (the plan's sensitivity, a deterministic bound),
 * so ‖h‖ ≤ m·Δ̃; the m noise shares add up to e with variance σ² = m·shareVariance per
 * coordinate over L coordinates. With the Gaussian tail bounds (Laurent–Massart for ‖e‖², a
 * normal tail for ⟨h, e⟩; the discrete Gaussian is sub-Gaussian with the same σ),
 *     ‖Σ‖² ≤ (m·Δ̃)² + 2·m·Δ̃·σ·√(2x) + σ²·(L + 2√(L·x) + 2x)
 * fails for an honest round with probability below 2e^(−x), x = TAIL (e^(−50) ≈ 2·10⁻²²).
 * A round whose sum breaks the bound is not published.
 *
 * What it bounds: a passing sum has a norm near the honest maximum whatever malicious shops
 * sent, so garbage (uniform words), large values spread over many coordinates, or one coordinate
 * beyond that norm are refused, and the published mean moves by at most about C in L2 norm
 * (m·Δ̃ over a total weight near m) plus σ·(L·x)^¼ of slack. What it does not bound: an input
 * chosen to stay inside that room — one coordinate can still be pushed (or wrapped) to a value
 * within the bound — has up to m times an honest shop's influence; nothing short of
 * zero-knowledge proofs of each input's norm stops that.
 */
import type { ContributionPlan } from './plan.ts';
import { fromRing } from './contribution.ts';

/** x of the tail bounds: an honest round fails the check with probability below 2e^(−x). */
export const TAIL = 50;

export type SumCheck = { ok: boolean; norm: number; bound: number };

/** Whether a recovered sum of `survivors` contributions is one honest shops could have produced. */
export function checkSumBound(
  plan: ContributionPlan,
  sum: Uint32Array,
  survivors: number,
): SumCheck {
  if (sum.length !== plan.length) throw new RangeError('the sum does not match the plan');
  if (!Number.isInteger(survivors) || survivors < 1)
    throw new RangeError('survivors must be a positive whole number');
  const signed = fromRing(sum, plan.shape.modulusBits);
  let squares = 0;
  for (let i = 0; i < signed.length; i++) squares += signed[i]! * signed[i]!;
  const honest = survivors * plan.sensitivity;
  const variance = survivors * plan.shareVariance;
  const L = plan.length;
  const boundSquared =
    honest * honest +
    2 * honest * Math.sqrt(variance) * Math.sqrt(2 * TAIL) +
    variance * (L + 2 * Math.sqrt(L * TAIL) + 2 * TAIL);
  return { ok: squares <= boundSquared, norm: Math.sqrt(squares), bound: Math.sqrt(boundSquared) };
}
