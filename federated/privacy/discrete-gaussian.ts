/**
 * The discrete Gaussian N_Z(0, σ²) on the integers: P(y) ∝ e^(−y²/(2σ²)) — Canonne, Kamath and
 * Steinke, "The Discrete Gaussian for Differential Privacy" (NeurIPS 2020), Algorithm 3:
 * propose Y from the discrete Laplace with scale t = ⌊σ⌋ + 1, accept with probability
 * e^(−(|Y| − σ²/t)²/(2σ²)). The discrete Laplace is drawn as a random sign and a geometric
 * count G with P(G ≥ k) = e^(−k/t), found by inverting one uniform (the sign's "−0" is
 * rejected so 0 is not counted twice). Every random decision compares a uniform with e^(−x)
 * for an exact rational x, decided exactly by exact-exp.ts (the geometric count is first read off
 * one logarithm with a certified margin, which settles all but about one in a million without the
 * two exponentials); σ² is taken as the exact rational value of its double. No floating-point
 * Gaussian is drawn or rounded anywhere.
 */
import {
  certifiedBelowExpNeg,
  exactBelowExpNeg,
  rationalOf,
  type LazyUniform,
  type Rational,
} from './exact-exp.ts';
import { RandomBits, type RandomSource } from './random.ts';

export type SamplerOptions = {
  /** false: decide every comparison with BigInt arithmetic (tests check both paths agree). */
  certify?: boolean;
};

/** ⌊√s⌋ exactly for a double s ≥ 0 below 2^100 (the square root is only a first guess). */
function floorSqrt(s: number): number {
  let r = Math.floor(Math.sqrt(s));
  while (r * r > s) r--;
  while ((r + 1) * (r + 1) <= s) r++;
  return r;
}

/** A sampler for one variance; reuse it for many draws. */
export function discreteGaussianSampler(
  variance: number,
  random: RandomSource,
  options: SamplerOptions = {},
): () => number {
  if (!(variance >= 0) || !Number.isFinite(variance) || variance > 2 ** 90)
    throw new RangeError('variance must be a finite number ≥ 0');
  if (variance === 0) return () => 0;
  const certify = options.certify ?? true;
  const bits = new RandomBits(random);
  const t = floorSqrt(variance) + 1;
  const tb = BigInt(t);
  const sOverT = variance / t;
  const ratio = Math.exp(-1 / t);
  const s = rationalOf(variance);

  /** V < e^(−x) for V with first bits `top` (or `u` once extended); slow path only when needed. */
  let u: LazyUniform | null = null;
  const below = (top: number, xHat: number, eHat: number, exact: () => Rational): boolean => {
    const fast = certify && u === null ? certifiedBelowExpNeg(top, xHat, eHat) : -1;
    if (fast !== -1) return fast === 1;
    u ??= { top, extra: 0n, extraBits: 0 };
    return exactBelowExpNeg(u, exact(), bits);
  };

  /**
   * G from one logarithm, when V's whole 2^-53-wide interval maps inside one step:
   * G = k ⇔ k < −t·ln V ≤ k + 1. y = −t·ln(m) at the interval's midpoint m is within t·0.5/top
   * of −t·ln V for every V of the interval, and the rounding of m, the double logarithm (under
   * an ulp of |ln m| ≤ 37) and the product add under 2^-46·(y + t); the margin doubles the first
   * and takes 2^-40·(y + t) for the rest. −1: a step boundary may lie within the margin (then the
   * exact comparisons decide, from the same bits, so the draws are those of the exact path).
   */
  const stepFromLog = (top: number): number => {
    if (top === 0) return -1;
    const y = -t * Math.log((top + 0.5) / 2 ** 53);
    const margin = t / top + (y + t) * 2 ** -40;
    const k = Math.floor(y - margin);
    return k >= 0 && y - margin > k && y + margin < k + 1 ? k : -1;
  };

  /** G with P(G ≥ k) = e^(−k/t): G = k exactly when e^(−(k+1)/t) ≤ V < e^(−k/t). */
  const geometric = (): number => {
    const top = bits.uint53();
    u = null;
    if (certify) {
      const k = stepFromLog(top);
      if (k !== -1) return k;
    }
    // The logarithm only guesses k; the two exact comparisons decide it.
    let k = Math.max(0, Math.floor(-t * Math.log((top + 0.5) / 2 ** 53)));
    for (;;) {
      const ek = Math.exp(-k / t);
      const kk = k;
      if (!below(top, k / t, ek, () => ({ p: BigInt(kk), q: tb }))) k--;
      else if (below(top, (k + 1) / t, ek * ratio, () => ({ p: BigInt(kk + 1), q: tb }))) k++;
      else return k;
    }
  };

  // (|Y| − s/t)²/(2s) = (|Y|·t·q − p)² / (2·t²·q·p) for s = p/q.
  const acceptExponent = (y: number): Rational => {
    const num = BigInt(y) * tb * s.q - s.p;
    return { p: num * num, q: 2n * tb * tb * s.q * s.p };
  };

  return () => {
    for (;;) {
      const negative = bits.bit() === 1;
      const y = geometric();
      if (negative && y === 0) continue;
      const d = y - sOverT;
      const x = (d * d) / (2 * variance);
      u = null;
      if (below(bits.uint53(), x, Math.exp(-x), () => acceptExponent(y))) return negative ? -y : y;
    }
  };
}

/** `count` independent N_Z(0, variance) draws as exact integers. */
export function discreteGaussianSamples(
  count: number,
  variance: number,
  random: RandomSource,
  options: SamplerOptions = {},
): Float64Array {
  const out = new Float64Array(count);
  if (variance === 0 || count === 0) return out;
  const draw = discreteGaussianSampler(variance, random, options);
  for (let i = 0; i < count; i++) out[i] = draw();
  return out;
}
