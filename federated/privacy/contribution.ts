/**
 * The shop-side privacy pipeline for one round, and its inverse on the coordinator:
 * clip → (clip bit) → noise share → fixed point, then after secure summation
 * decode → average → (next clip norm). Both sides derive the encoding from the round settings
 * alone, so they agree without exchanging anything else.
 */
import { decodeFixedPoint, encodeFixedPoint, fixedPoint, type FixedPoint } from '../secagg/ring.ts';
import {
  clipBitCoordinate,
  nextClipNorm,
  unclippedFraction,
  updateNoiseMultiplier,
  type AdaptiveClipping,
} from './adaptive-clip.ts';
import { clipToNorm } from './clip.ts';
import { cryptoRandom, gaussianSamples, noiseShareStd, type RandomSource } from './gaussian.ts';

export type PrivacySettings = {
  clipNorm: number;
  /** z: the sum carries Gaussian noise of standard deviation z·C. 0 turns noise off. */
  noiseMultiplier: number;
  /** t: the SecAgg threshold, the fewest uploads a completed round can have. */
  minSurvivors: number;
  /** Largest number of shops whose sum must fit the ring (headroom). */
  maxShops: number;
  modulusBits: number;
  adaptive?: AdaptiveClipping;
};

/** Noise shares are clamped at this many of their standard deviations; see docs/privacy.md. */
export const NOISE_RANGE_SIGMAS = 10;

function stds(settings: PrivacySettings): { update: number; bit: number } {
  const t = settings.minSurvivors;
  const C = settings.clipNorm;
  if (!settings.adaptive) {
    return {
      update: noiseShareStd({
        clipNorm: C,
        noiseMultiplier: settings.noiseMultiplier,
        minSurvivors: t,
      }),
      bit: 0,
    };
  }
  const zUpdate = updateNoiseMultiplier(
    settings.noiseMultiplier,
    settings.adaptive.bitNoiseMultiplier,
  );
  const zBit = settings.noiseMultiplier === 0 ? 0 : settings.adaptive.bitNoiseMultiplier;
  return {
    update: noiseShareStd({ clipNorm: C, noiseMultiplier: zUpdate, minSurvivors: t }),
    bit: noiseShareStd({ clipNorm: C, noiseMultiplier: zBit, minSurvivors: t }),
  };
}

/**
 * The fixed-point code of a round: every clipped coordinate is within ±C, the clip bit within
 * ±C/2, and a noise share beyond 10 standard deviations has probability below 2e-23.
 */
export function encodingFor(settings: PrivacySettings): FixedPoint {
  const s = stds(settings);
  const maxAbs = settings.clipNorm + NOISE_RANGE_SIGMAS * Math.max(s.update, s.bit);
  return fixedPoint({ modulusBits: settings.modulusBits, maxAbs, maxSummands: settings.maxShops });
}

export function vectorLengthFor(parameterCount: number, settings: PrivacySettings): number {
  return parameterCount + (settings.adaptive ? 1 : 0);
}

export type Contribution = {
  /** Ring vector to mask and upload. */
  encoded: Uint32Array;
  /** For the shop's ledger only. */
  norm: number;
  wasClipped: boolean;
  noiseStd: number;
  clampedValues: number;
};

export function prepareContribution(
  update: ArrayLike<number>,
  settings: PrivacySettings,
  random: RandomSource = cryptoRandom,
): Contribution {
  const { clipped, norm, wasClipped } = clipToNorm(update, settings.clipNorm);
  const s = stds(settings);
  const length = vectorLengthFor(update.length, settings);
  const values = new Float64Array(length);
  values.set(clipped);
  const noise = gaussianSamples(update.length, s.update, random);
  for (let i = 0; i < update.length; i++) values[i]! += noise[i]!;
  if (settings.adaptive) {
    values[update.length] =
      clipBitCoordinate(norm, settings.clipNorm) + gaussianSamples(1, s.bit, random)[0]!;
  }
  const { encoded, clamped } = encodeFixedPoint(values, encodingFor(settings));
  return { encoded, norm, wasClipped, noiseStd: s.update, clampedValues: clamped };
}

export type Aggregate = {
  /** Average update over the participants (sum / m): add it to the global model. */
  meanUpdate: Float64Array;
  participants: number;
  /** With adaptive clipping: the noised fraction of unclipped shops and next round's C. */
  unclippedFraction?: number;
  nextClipNorm?: number;
};

export function finishAggregate(
  sum: Uint32Array,
  participants: number,
  parameterCount: number,
  settings: PrivacySettings,
): Aggregate {
  if (participants < 1) throw new RangeError('no participants');
  const decoded = decodeFixedPoint(sum, encodingFor(settings));
  const meanUpdate = new Float64Array(parameterCount);
  for (let i = 0; i < parameterCount; i++) meanUpdate[i] = decoded[i]! / participants;
  if (!settings.adaptive) return { meanUpdate, participants };
  const fraction = unclippedFraction(decoded[parameterCount]!, settings.clipNorm, participants);
  return {
    meanUpdate,
    participants,
    unclippedFraction: fraction,
    nextClipNorm: nextClipNorm(settings.clipNorm, fraction, settings.adaptive),
  };
}
