import { describe, expect, it } from 'vitest';
import { wordsFromBase64 } from '../../../federated/secagg/bytes.ts';
import { runRoundUploads } from './upload-sample.ts';

/**
 * A single masked upload must look uniformly random in Z_2^32 even when the input is as
 * structured as possible (all zeros, or a ramp). Statistics and thresholds (false-alarm
 * probability per statistic below 1e-6, so the test is sound and practically never flaky):
 *  - bit balance: for each of the 32 bit positions, z = (ones − d/2)/√(d/4) ~ N(0,1); |z| < 5.3.
 *  - byte chi-square: top and bottom byte in 256 bins, df = 255; χ² < 255 + 7·√510 ≈ 413.
 *  - independence from the input: Pearson correlation between y_i and i over d coordinates,
 *    |r|·√d < 5.3.
 */
const D = 16384;

function bitBalance(words: Uint32Array): number[] {
  return Array.from({ length: 32 }, (_, bit) => {
    let ones = 0;
    for (const w of words) ones += (w >>> bit) & 1;
    return (ones - words.length / 2) / Math.sqrt(words.length / 4);
  });
}

function byteChiSquare(words: Uint32Array, shift: number): number {
  const counts = new Array<number>(256).fill(0);
  for (const w of words) counts[(w >>> shift) & 0xff]!++;
  const expected = words.length / 256;
  return counts.reduce((s, c) => s + (c - expected) ** 2 / expected, 0);
}

function correlationWithIndex(words: Uint32Array): number {
  const n = words.length;
  const mx = (n - 1) / 2;
  let my = 0;
  for (const w of words) my += w;
  my /= n;
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  words.forEach((w, i) => {
    sxy += (i - mx) * (w - my);
    sxx += (i - mx) ** 2;
    syy += (w - my) ** 2;
  });
  return sxy / Math.sqrt(sxx * syy);
}

describe('a masked upload is indistinguishable from uniform', () => {
  it('for an all-zero input and for a ramp input', async () => {
    const zeros = new Uint32Array(D);
    const ramp = Uint32Array.from({ length: D }, (_, i) => i);
    const uploads = await runRoundUploads(D, [zeros, ramp, zeros]);
    for (const masked of uploads.slice(0, 2)) {
      const words = wordsFromBase64(masked, D);
      for (const z of bitBalance(words)) expect(Math.abs(z)).toBeLessThan(5.3);
      expect(byteChiSquare(words, 24)).toBeLessThan(413);
      expect(byteChiSquare(words, 0)).toBeLessThan(413);
      expect(Math.abs(correlationWithIndex(words)) * Math.sqrt(D)).toBeLessThan(5.3);
    }
  });

  it('the statistics do catch a non-uniform vector (the test can fail)', () => {
    const biased = Uint32Array.from({ length: D }, (_, i) => (i * 2654435761) & 0x7fffffff);
    expect(Math.max(...bitBalance(biased).map(Math.abs))).toBeGreaterThan(5.3);
    const ramp = Uint32Array.from({ length: D }, (_, i) => i * 262144);
    expect(Math.abs(correlationWithIndex(ramp)) * Math.sqrt(D)).toBeGreaterThan(5.3);
  });
});
