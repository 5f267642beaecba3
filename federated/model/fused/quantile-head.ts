import { quantileLevels } from '../../features/spec.ts';

/**
 * The output head and the censored pinball loss, per row, in plain arithmetic: the same function
 * as `toQuantiles` + `pinballLoss` (TF.js), with the derivative written out.
 *
 * q₀ = r₀, qₖ = qₖ₋₁ + softplus(rₖ): quantiles that never cross.
 * loss row = Σₖ τₖ·relu(y − qₖ) + (1 − τₖ)·relu(qₖ − y)·(1 − censored), weighted by w / Σw.
 */

const taus = Float64Array.from(quantileLevels);
export const quantileCount = taus.length;

// TF.js's softplus: exp(x) / x outside the range where log(1 + exp(x)) loses float32 precision.
const softplusThreshold = Math.log(1.1920928955078125e-7) + 2;

/** softplus(x) given e = exp(x) (one exp serves softplus and its derivative, the sigmoid). */
function softplusOf(x: number, e: number): number {
  if (x > -softplusThreshold) return x;
  if (x < softplusThreshold) return e;
  return Math.log(1 + e);
}

type Floats = Float32Array | Float64Array;

/** The raw outputs starting at raw[at] → quantiles into out[outAt…]. */
export function quantilesOf(raw: Floats, at: number, out: Floats, outAt: number): void {
  let q = raw[at]!;
  out[outAt] = q;
  for (let k = 1; k < quantileCount; k++) {
    const x = raw[at + k]!;
    q += softplusOf(x, Math.exp(x));
    out[outAt + k] = q;
  }
}

const q = new Float64Array(quantileCount);
const sigmoid = new Float64Array(quantileCount);

/**
 * One row's loss (unweighted); when `grad` is given, also d(scale · loss)/d raw into
 * grad[gradAt…]. A prediction exactly on the target gets no gradient, as TF.js's relu gives none
 * at 0.
 */
export function rowLoss(
  raw: Floats,
  at: number,
  y: number,
  censored: boolean,
  scale: number,
  grad?: Floats,
  gradAt = at,
): number {
  let level = raw[at]!;
  q[0] = level;
  for (let k = 1; k < quantileCount; k++) {
    const x = raw[at + k]!;
    const e = Math.exp(x);
    level += softplusOf(x, e);
    q[k] = level;
    sigmoid[k] = 1 / (1 + 1 / e); // softplus′, also at e = 0 or ∞
  }
  let loss = 0;
  // Back through the cumulative sum: raw k moves every quantile from k up.
  let tail = 0;
  const open = censored ? 0 : 1;
  for (let k = quantileCount - 1; k >= 0; k--) {
    const e = y - q[k]!;
    const tau = taus[k]!;
    let dq = 0;
    if (e > 0) {
      loss += tau * e;
      dq = -tau;
    } else if (e < 0) {
      loss -= (1 - tau) * e * open;
      dq = (1 - tau) * open;
    }
    if (!grad) continue;
    tail += dq * scale;
    grad[gradAt + k] = k === 0 ? tail : tail * sigmoid[k]!;
  }
  return loss;
}
