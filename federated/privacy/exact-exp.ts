/**
 * Exact Bernoulli(e^(−x)) decisions for the discrete Gaussian sampler.
 *
 * A decision "V < e^(−x)" for a uniform V in [0, 1) is exact when it equals the comparison of
 * the infinite-precision V with the exact value of e^(−x) for the exact rational x. We draw the
 * first 53 bits of V and decide in floating point only when V's whole 2^-53-wide interval lies
 * outside a certified band around Math.exp(−x̂) (x̂ the double nearest x): the band's relative
 * half-width, 2^-32·(1 + x), is more than a thousand times the error of the double computations
 * that produce x̂ and of any libm exp (a few ulps, 2^-50). Otherwise — with probability about
 * 2^-30 per decision — BigInt arithmetic decides: e^x is bracketed by its Taylor series in
 * fixed point with directed rounding, and V gains 64 fresh random bits at a time until its
 * interval falls on one side. e^(−x) is irrational for rational x > 0, so this ends with
 * probability 1. This is the "exact in rational terms" contract of Canonne, Kamath and
 * Steinke's sampler without paying BigInt cost on the common path.
 */
import type { RandomBits } from './random.ts';

/** Non-negative rational p/q. */
export type Rational = { p: bigint; q: bigint };

/** A uniform V known to 53 + extraBits bits: V ∈ [N, N + 1)·2^-(53+extraBits). */
export type LazyUniform = { top: number; extra: bigint; extraBits: number };

const TWO_POW_53 = 2 ** 53;
const BAND = 2 ** -32;
/** Below e^-700 the double exp is subnormal or zero; treat its value as within [0, 2^-1000]. */
const TINY = 2 ** -1000;

/** The exact rational value of a finite non-negative double. */
export function rationalOf(value: number): Rational {
  if (!(value >= 0) || !Number.isFinite(value)) throw new RangeError('expected a finite value ≥ 0');
  let v = value;
  let shift = 0n;
  while (!Number.isInteger(v)) {
    v *= 2;
    shift++;
  }
  return { p: BigInt(v), q: 1n << shift };
}

/**
 * Bounds of e^(p/q) scaled by 2^precision: lo ≤ 2^precision·e^x ≤ hi. Each Taylor term is
 * carried twice, rounded down and up; the tail after the first term past 2x that is at most one
 * unit is below two units (the terms then shrink by at least half each).
 */
export function expBounds(x: Rational, precision: number): { lo: bigint; hi: bigint } {
  const one = 1n << BigInt(precision);
  let termLo = one;
  let termHi = one;
  let lo = one;
  let hi = one;
  if (x.p === 0n) return { lo, hi };
  for (let j = 1n; ; j++) {
    const d = x.q * j;
    termLo = (termLo * x.p) / d;
    termHi = (termHi * x.p + d - 1n) / d;
    lo += termLo;
    hi += termHi;
    if (d > 2n * x.p && termHi <= 1n) return { lo, hi: hi + 2n };
  }
}

/** The exact decision V < e^(−x), drawing more bits of V as needed. */
export function exactBelowExpNeg(u: LazyUniform, x: Rational, bits: RandomBits): boolean {
  let precision = 128;
  for (;;) {
    const { lo, hi } = expBounds(x, precision);
    const n = (BigInt(u.top) << BigInt(u.extraBits)) | u.extra;
    const whole = 1n << BigInt(53 + u.extraBits + precision);
    // V < e^-x ⇔ V·e^x < 1; V·e^x lies within [n·lo, (n + 1)·hi]·2^-(L+precision).
    if ((n + 1n) * hi <= whole) return true;
    if (n * lo >= whole) return false;
    u.extra = (u.extra << 64n) | bits.uint64();
    u.extraBits += 64;
    precision += 64;
  }
}

/**
 * The floating-point decision of V < e^(−x) from V's first 53 bits `top`, given x̂ and ê, the
 * doubles computed for x and e^(−x): 1 (yes), 0 (no) or −1 (inside the band: decide exactly).
 */
export function certifiedBelowExpNeg(top: number, xHat: number, eHat: number): 1 | 0 | -1 {
  let lo: number;
  let hi: number;
  if (xHat > 700) {
    lo = 0;
    hi = TINY;
  } else {
    const band = BAND * (1 + xHat);
    lo = eHat * (1 - band);
    hi = eHat * (1 + band);
  }
  if ((top + 1) / TWO_POW_53 <= lo) return 1;
  if (top / TWO_POW_53 >= hi) return 0;
  return -1;
}
