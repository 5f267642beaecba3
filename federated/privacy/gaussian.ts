/**
 * Gaussian noise shares. Each shop adds N(0, (z·C)² / t) to its clipped update, where t is the
 * fewest shops whose uploads can make up a completed round (the SecAgg threshold). The sum of
 * n ≥ t independent shares has variance n·(z·C)²/t ≥ (z·C)², so the aggregate the coordinator
 * unmasks carries at least the full noise σ = z·C although no party ever sees it alone.
 *
 * Sampling: Box–Muller over uniform doubles built from 53 bits of node:crypto randomness.
 * Box–Muller is exact in real arithmetic (a pair of independent uniforms maps to a pair of
 * independent standard normals), needs no rejection loop, and its only source of randomness is
 * the CSPRNG. Its floating-point limits are known: tails end near 8.6σ (U1 ≥ 2^-53) and the
 * low-order bits of doubles are not uniform (Mironov 2012; Jin et al. 2021 for Gaussians).
 * We accept this because the noised values are then rounded to the fixed-point grid and
 * summed under secure aggregation, so no single shop's raw floats are released; a discrete
 * Gaussian (Canonne, Kamath, Steinke 2020) would remove the caveat and is listed in
 * docs/privacy.md as a possible hardening.
 */
import { createCipheriv, randomBytes } from 'node:crypto';

/** Source of uniformly random bytes. Production uses the CSPRNG; tests may pass a seeded one. */
export type RandomSource = (byteLength: number) => Uint8Array;

export const cryptoRandom: RandomSource = (n) => new Uint8Array(randomBytes(n));

/**
 * Reproducible randomness for statistical tests only: AES-256-CTR keystream under a 256-bit
 * seed (never a 32-bit one), consumed sequentially.
 */
export function seededRandom(seed: Uint8Array): RandomSource {
  if (seed.length !== 32) throw new RangeError('seed must be 32 bytes');
  const cipher = createCipheriv('aes-256-ctr', seed, Buffer.alloc(16));
  return (n) => new Uint8Array(cipher.update(Buffer.alloc(n)));
}

const TWO_POW_53 = 2 ** 53;

/** `count` independent N(0, std²) samples. */
export function gaussianSamples(
  count: number,
  std: number,
  random: RandomSource = cryptoRandom,
): Float64Array {
  if (!(std >= 0) || !Number.isFinite(std))
    throw new RangeError('std must be a finite non-negative number');
  const out = new Float64Array(count);
  if (std === 0 || count === 0) return out;
  const pairs = Math.ceil(count / 2);
  const bytes = random(pairs * 16);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const uniform = (at: number) =>
    (view.getUint32(at, true) >>> 11) * 2 ** 32 + view.getUint32(at + 4, true);
  for (let p = 0; p < pairs; p++) {
    // u1 in (0, 1] so the logarithm is finite; u2 in [0, 1).
    const u1 = (uniform(p * 16) + 1) / TWO_POW_53;
    const u2 = uniform(p * 16 + 8) / TWO_POW_53;
    const radius = Math.sqrt(-2 * Math.log(u1)) * std;
    out[2 * p] = radius * Math.cos(2 * Math.PI * u2);
    if (2 * p + 1 < count) out[2 * p + 1] = radius * Math.sin(2 * Math.PI * u2);
  }
  return out;
}

/** Standard deviation of one shop's noise share: z·C/√t. */
export function noiseShareStd(options: {
  clipNorm: number;
  noiseMultiplier: number;
  minSurvivors: number;
}): number {
  const { clipNorm, noiseMultiplier, minSurvivors } = options;
  if (!Number.isInteger(minSurvivors) || minSurvivors < 1)
    throw new RangeError('minSurvivors must be a positive whole number');
  if (!(noiseMultiplier >= 0)) throw new RangeError('noise multiplier must be non-negative');
  return (noiseMultiplier * clipNorm) / Math.sqrt(minSurvivors);
}
