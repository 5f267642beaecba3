/**
 * log(erfc(x)) in double precision without underflow, for the fractional-order RDP terms
 * (TF-Privacy and Opacus use scipy's log_ndtr for this). JavaScript has no erfc, so:
 *  - x < 0: erfc(x) = 2 − erfc(−x), which lies in (1, 2]: no precision issue.
 *  - 0 ≤ x < 2.5: erf(x) = (2/√π)·e^(−x²)·Σ 2ⁿx^(2n+1)/(1·3·…·(2n+1)) (Abramowitz & Stegun
 *    7.1.6), a series of positive terms, so no cancellation inside the sum; erfc = 1 − erf
 *    then loses at most log10(1/erfc(2.5)) ≈ 3.4 of ~16 digits.
 *  - x ≥ 2.5: the Laplace continued fraction (A&S 7.1.14)
 *    erfc(x) = e^(−x²)/√π · 1/(x + ½/(x + 1/(x + (3/2)/(x + …)))), evaluated bottom-up and
 *    kept in log space, so it stays accurate where erfc itself underflows (x > 26.5).
 * Checked against scipy.special.log_ndtr in test/unit/privacy/accountant.test.ts.
 */

const LOG_SQRT_PI = 0.5 * Math.log(Math.PI);

function erfSeries(x: number): number {
  let term = x;
  let sum = x;
  for (let n = 1; n < 200; n++) {
    term *= (2 * x * x) / (2 * n + 1);
    sum += term;
    if (term < sum * 1e-17) break;
  }
  return (2 / Math.sqrt(Math.PI)) * Math.exp(-x * x) * sum;
}

function logErfcContinuedFraction(x: number): number {
  // 120 levels reach full double precision at x = 2.5 and converge faster beyond.
  let f = x;
  for (let n = 120; n >= 1; n--) f = x + n / 2 / f;
  return -x * x - LOG_SQRT_PI - Math.log(f);
}

export function logErfc(x: number): number {
  if (Number.isNaN(x)) return NaN;
  if (x === Infinity) return -Infinity;
  if (x < 0) return Math.log(2 - Math.exp(logErfc(-x)));
  if (x < 2.5) return Math.log1p(-erfSeries(x));
  return logErfcContinuedFraction(x);
}
