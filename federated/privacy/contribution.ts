/**
 * The shop-side privacy pipeline of one secure round and its inverse on the coordinator:
 * clip → weight → extra coordinates → conditional rounding to the grid → discrete Gaussian
 * share → ring, then after secure summation: signed reading → divide by the recovered weight.
 * Both sides derive everything from the same plan (plan.ts), so they agree without exchanging
 * anything else.
 */
import { clipToNorm } from './clip.ts';
import { discreteGaussianSamples } from './discrete-gaussian.ts';
import { nextClipNorm } from './adaptive-clip.ts';
import { EXTRA_COORDINATES, extraScale, normalisedWeight, type ContributionPlan } from './plan.ts';
import { cryptoRandom, RandomBits, type RandomSource } from './random.ts';
import { conditionalRound } from './rounding.ts';

/** What a bakery measured of the current model on its recent days (never its sales). */
export type EvaluationFigures = { wape: number; pinball: number };

export type ContributionInput = {
  update: ArrayLike<number>;
  /** Training samples behind the update; only its capped, normalised weight is sent. */
  sampleCount: number;
  /** null: nothing to report this round (the "reported" coordinate is then 0). */
  metrics?: EvaluationFigures | null;
};

export type EncodedContribution = {
  /** Ring vector to mask and upload. */
  encoded: Uint32Array;
  /** For the shop's ledger only: */
  norm: number;
  wasClipped: boolean;
  weight: number;
  /** Standard deviation of this shop's noise share on one update coordinate, in update units. */
  noiseShareStd: number;
};

const clamp = (v: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, v));

/** Signed integers (|v| < 2^53) into Z_2^k words. */
function toRing(values: Float64Array, modulusBits: number): Uint32Array {
  const modulus = 2 ** modulusBits;
  const out = new Uint32Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    out[i] = v - Math.floor(v / modulus) * modulus;
  }
  return out;
}

/** Z_2^k words read back as signed integers in [−2^(k−1), 2^(k−1)). */
export function fromRing(words: Uint32Array, modulusBits: number): Float64Array {
  const modulus = 2 ** modulusBits;
  const half = modulus / 2;
  const out = new Float64Array(words.length);
  for (let i = 0; i < words.length; i++) {
    const v = words[i]! % modulus;
    out[i] = v >= half ? v - modulus : v;
  }
  return out;
}

function checkFigures(metrics: EvaluationFigures): void {
  if (!Number.isFinite(metrics.wape) || !Number.isFinite(metrics.pinball))
    throw new RangeError('evaluation figures must be finite');
}

export function encodeContribution(
  plan: ContributionPlan,
  input: ContributionInput,
  random: RandomSource = cryptoRandom,
): EncodedContribution {
  const { settings, shape, extras } = plan;
  const d = shape.parameterCount;
  if (input.update.length !== d) throw new RangeError('the update does not match the plan');
  const { clipped, norm, wasClipped } = clipToNorm(input.update, settings.clipNorm);
  const weight = normalisedWeight(input.sampleCount, settings);
  const grid = new Float64Array(plan.length);
  const perUnit = (plan.unitsPerClip / settings.clipNorm) * weight;
  for (let i = 0; i < d; i++) grid[i] = clipped[i]! * perUnit;
  const set = (name: keyof typeof extras, raw: number) => {
    const at = extras[name];
    if (at !== undefined) grid[at] = raw * extraScale(plan, name);
  };
  set('weight', weight);
  const figures = input.metrics ?? null;
  if (figures) checkFigures(figures);
  set('reported', figures ? 1 : 0);
  set('wape', figures ? clamp(figures.wape, 0, EXTRA_COORDINATES.wape.bound) : 0);
  set('pinball', figures ? clamp(figures.pinball, 0, EXTRA_COORDINATES.pinball.bound) : 0);
  set('clipBit', (norm <= settings.clipNorm ? 1 : 0) - 0.5);
  const bits = new RandomBits(random);
  const { rounded } = conditionalRound(grid, plan.sensitivity, bits);
  const noise = discreteGaussianSamples(plan.length, plan.shareVariance, random);
  for (let i = 0; i < plan.length; i++) rounded[i]! += noise[i]!;
  return {
    encoded: toRing(rounded, shape.modulusBits),
    norm,
    wasClipped,
    weight,
    noiseShareStd: (Math.sqrt(plan.shareVariance) * settings.clipNorm) / plan.unitsPerClip,
  };
}

/** A consortium figure from noised sums, with the standard deviation of its noise. */
export type NoisedFigure = { value: number; noiseStd: number };

export type DecodedAggregate = {
  /** Weighted mean of the survivors' clipped updates: add it to the global model. */
  meanUpdate: Float64Array;
  participants: number;
  /** The divisor: recovered (noised) total weight, or the number of survivors. */
  totalWeight: number;
  /** Standard deviation of the total weight's noise (0 with equal weights): the step size jitters by about its ratio to totalWeight. */
  totalWeightNoiseStd: number;
  /** Mean over reporting bakeries; null when the round carries no figures or none reported. */
  metrics: { reporting: NoisedFigure; wape: NoisedFigure; pinball: NoisedFigure } | null;
  /** With adaptive clipping: the noised fraction of unclipped shops and next round's C. */
  unclippedFraction?: number;
  nextClipNorm?: number;
};

/**
 * The divisor of a sample-weighted mean from the noised total weight. The true total lies within
 * [m/cap, m], so a noised value outside is pulled back into it; and it is never taken below three
 * of its noise's standard deviations: in a small consortium of small bakeries the noise can carry
 * the total near zero, and dividing by that multiplied the step by thousands (a model that
 * forecast billions). A divisor too large only shortens the step.
 */
function divisorOf(weightSum: NoisedFigure, survivors: number, cap: number): number {
  const floor = Math.min(survivors, Math.max(survivors / cap, 3 * weightSum.noiseStd));
  return clamp(weightSum.value, floor, survivors);
}

export function decodeAggregate(
  plan: ContributionPlan,
  sum: Uint32Array,
  survivors: number,
): DecodedAggregate {
  const { settings, shape, extras } = plan;
  if (sum.length !== plan.length) throw new RangeError('the sum does not match the plan');
  if (!Number.isInteger(survivors) || survivors < 1 || survivors > shape.rosterSize)
    throw new RangeError('survivors must be within 1…rosterSize');
  const signed = fromRing(sum, shape.modulusBits);
  // Every survivor added a share, so the sum's noise has m·shareVariance.
  const noiseUnits = Math.sqrt(survivors * plan.shareVariance);
  const raw = (name: keyof typeof extras): NoisedFigure | null => {
    const at = extras[name];
    if (at === undefined) return null;
    const scale = extraScale(plan, name);
    return { value: signed[at]! / scale, noiseStd: noiseUnits / scale };
  };
  const weightSum = raw('weight');
  const totalWeight = weightSum
    ? divisorOf(weightSum, survivors, settings.maxSampleWeight)
    : survivors;
  const d = shape.parameterCount;
  const meanUpdate = new Float64Array(d);
  const toUpdate = settings.clipNorm / plan.unitsPerClip / totalWeight;
  for (let i = 0; i < d; i++) meanUpdate[i] = signed[i]! * toUpdate;
  const result: DecodedAggregate = {
    meanUpdate,
    participants: survivors,
    totalWeight,
    totalWeightNoiseStd: weightSum?.noiseStd ?? 0,
    metrics: figuresFrom(raw('reported'), raw('wape'), raw('pinball'), survivors),
  };
  const bit = raw('clipBit');
  if (!bit || !settings.adaptiveClip) return result;
  const fraction = (bit.value + survivors / 2) / survivors;
  return {
    ...result,
    unclippedFraction: fraction,
    nextClipNorm: nextClipNorm(settings.clipNorm, fraction, settings.adaptiveClip),
  };
}

function figuresFrom(
  reported: NoisedFigure | null,
  wape: NoisedFigure | null,
  pinball: NoisedFigure | null,
  survivors: number,
): DecodedAggregate['metrics'] {
  if (!reported || !wape || !pinball) return null;
  const reporting = clamp(reported.value, 0, survivors);
  // A noised count below one half means no bakery reported; a divisor below one would inflate.
  if (reporting < 0.5) return null;
  const mean = (f: NoisedFigure, cap: number): NoisedFigure => ({
    value: clamp(f.value / Math.max(1, reporting), 0, cap),
    noiseStd: f.noiseStd / Math.max(1, reporting),
  });
  return {
    reporting: { value: reporting, noiseStd: reported.noiseStd },
    wape: mean(wape, EXTRA_COORDINATES.wape.bound),
    pinball: mean(pinball, EXTRA_COORDINATES.pinball.bound),
  };
}
