import { quantileLevels } from '../features/spec.ts';

/**
 * Pinball (quantile) loss of one forecast quantile `q` at level `tau` against what happened:
 * tau × shortfall when demand came out above, (1 − tau) × excess when below. Proper: its
 * expectation is smallest at the true tau-quantile.
 */
export function pinball(q: number, tau: number, actual: number): number {
  const error = actual - q;
  return error >= 0 ? tau * error : (tau - 1) * error;
}

/**
 * Mean pinball loss over the model's quantile levels for one day (in the units of `actual`).
 * A point forecast (one number) is scored as a band of zero width: every level at that number.
 */
export function meanPinball(quantiles: readonly number[] | number, actual: number): number {
  let sum = 0;
  quantileLevels.forEach((tau, i) => {
    const q = typeof quantiles === 'number' ? quantiles : quantiles[i]!;
    sum += pinball(q, tau, actual);
  });
  return sum / quantileLevels.length;
}

/** Running tally of a band's calibration: how often demand fell below its p10 and its p90. */
export type Coverage = { p10: number; p90: number };

export class BandTally {
  days = 0;
  below10 = 0;
  below90 = 0;

  add(p10: number, p90: number, actual: number): void {
    this.days++;
    if (actual < p10) this.below10++;
    if (actual < p90) this.below90++;
  }

  merge(other: BandTally): void {
    this.days += other.days;
    this.below10 += other.below10;
    this.below90 += other.below90;
  }

  /** Shares of days below p10 and below p90 (0.1 and 0.9 when calibrated); null without days. */
  coverage(): Coverage | null {
    return this.days > 0 ? { p10: this.below10 / this.days, p90: this.below90 / this.days } : null;
  }
}
