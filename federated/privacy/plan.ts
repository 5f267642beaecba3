/**
 * The plan of one secure round's contribution vector, derived identically by every shop and the
 * coordinator from the round settings and the round's shape alone.
 *
 * Vector (in "update units", where the clipped update has L2 norm ≤ C):
 *     [ w̄·clip_C(Δ) (d coordinates) | weight w̄ | reported, WAPE, pinball | clip bit ]
 * The weight coordinate exists with sample weighting, the three metric coordinates when the round
 * carries the evaluation figures, the clip bit with adaptive clipping. An extra coordinate whose
 * raw value can move by at most B when a bakery is replaced by zeros is encoded as value·C·s/B,
 * so it adds (s·C)² to the squared L2 sensitivity. The whole vector is one discrete Gaussian
 * mechanism with sensitivity Δ = C·√(1 + Σ s²) (before rounding); the noise multiplier z is
 * the honest noise's standard deviation over the rounded Δ̃, so the accountant charges exactly
 * the mechanism that ran. The shares s trade the update's noise (it grows by √(1 + Σ s²): 10 %
 * with weight and metrics) for usable weight and metric sums.
 *
 * Integer grid: g units per C, the largest power of two such that n rounded contributions
 * (each coordinate at most g + 1) plus 10 standard deviations of all survivors' noise fit the
 * signed range of Z_2^k: the sum never wraps unless the noise exceeds 10σ on some coordinate
 * (probability below 2·d·e^-50 ≈ 4e-17 for d = 10^5; a wrap is a wrong sum, never a leak,
 * because reduction mod 2^k is post-processing of the noised sum).
 *
 * Collusion: each shop's noise share is N_Z(0, (z·Δ̃)²/(t − c)). Any completed round has at
 * least t survivors of whom at most c collude with the coordinator, so the honest survivors'
 * shares alone sum to variance ≥ (z·Δ̃)². The cost: when all n shops survive, the sum carries
 * n/(t − c) times the variance it needs — about 3× (1.7× the standard deviation) with the
 * defaults t = ⌊2n/3⌋ + 1 and c = ⌊n/3⌋.
 */
import { discreteTau, type DiscreteRound } from './discrete-accountant.ts';
import { roundedNormBound } from './rounding.ts';

export type ContributionSettings = {
  clipNorm: number;
  /** z: honest noise standard deviation over the rounded L2 sensitivity; 0 = no noise. */
  noiseMultiplier: number;
  weighting: 'samples' | 'equal';
  /** Sample counts are capped here and divided by it: each weight w̄ lies in (0, 1]. */
  maxSampleWeight: number;
  /** Whether the vector carries the bakery's evaluation figures (reported, WAPE, pinball). */
  metrics: boolean;
  adaptiveClip?: { targetQuantile: number; learningRate: number } | null;
};

export type RoundShape = {
  parameterCount: number;
  /** n: the most uploads the sum can have (the signed roster's size). */
  rosterSize: number;
  /** t: the fewest uploads a completed round has. */
  threshold: number;
  /** c: shops that may collude with the coordinator; the honest noise is sized for t − c. */
  colluders: number;
  modulusBits: number;
};

export type ExtraCoordinate = 'weight' | 'reported' | 'wape' | 'pinball' | 'clipBit';

/** Bound B (largest change of the raw value under zero-out) and sensitivity share s. */
export const EXTRA_COORDINATES: Record<ExtraCoordinate, { bound: number; share: number }> = {
  weight: { bound: 1, share: 0.3 },
  reported: { bound: 1, share: 0.2 },
  // Figures beyond WAPE 100 % or pinball 0.5 (in units of the product's level) count at that
  // cap: they are for watching the consortium, and the bound sets their noise. Even so, with
  // 20 bakeries and z ≈ 0.5 the mean WAPE carries noise of about ±22 points; it becomes a
  // usable figure with hundreds of bakeries (the decoded figures carry their noise std).
  wape: { bound: 1, share: 0.2 },
  pinball: { bound: 0.5, share: 0.2 },
  // The centred bit 1[‖Δ‖ ≤ C] − ½ moves by ½ when replaced by zero.
  clipBit: { bound: 0.5, share: 0.3 },
};

/** Noise this many standard deviations out fits the ring; see the header. */
export const NOISE_HEADROOM_SIGMAS = 10;
/** Fewer grid units per C than this would make rounding error rival the updates themselves. */
export const MIN_UNITS_PER_CLIP = 2 ** 8;

export type ContributionPlan = {
  settings: ContributionSettings;
  shape: RoundShape;
  /** Index of each extra coordinate present, after the d update coordinates. */
  extras: Partial<Record<ExtraCoordinate, number>>;
  length: number;
  /** g: integer grid units per clip norm C. */
  unitsPerClip: number;
  /** Δ̃: L2 bound of a rounded contribution in grid units (the accounted sensitivity). */
  sensitivity: number;
  /** Variance of each shop's discrete Gaussian share, in grid units². */
  shareVariance: number;
  /** t − c: the fewest honest shares in a completed round. */
  honestShares: number;
};

function validate(settings: ContributionSettings, shape: RoundShape): void {
  const { parameterCount: d, rosterSize: n, threshold: t, colluders: c, modulusBits } = shape;
  const whole = (v: number) => Number.isInteger(v);
  if (!whole(d) || d < 1) throw new RangeError('parameterCount must be a positive whole number');
  if (!whole(n) || n < 1) throw new RangeError('rosterSize must be a positive whole number');
  if (!whole(t) || t < 1 || t > n) throw new RangeError('threshold must be within 1…rosterSize');
  if (!whole(c) || c < 0 || c >= t)
    throw new RangeError('colluders must be a whole number below the threshold (t − c ≥ 1)');
  if (!whole(modulusBits) || modulusBits < 8 || modulusBits > 32)
    throw new RangeError('modulusBits must be a whole number from 8 to 32');
  if (!(settings.clipNorm > 0) || !Number.isFinite(settings.clipNorm))
    throw new RangeError('clip norm must be positive');
  if (!(settings.noiseMultiplier >= 0) || !Number.isFinite(settings.noiseMultiplier))
    throw new RangeError('noise multiplier must be finite and ≥ 0');
  if (!whole(settings.maxSampleWeight) || settings.maxSampleWeight < 1)
    throw new RangeError('maxSampleWeight must be a positive whole number');
}

function extraCoordinates(settings: ContributionSettings): ExtraCoordinate[] {
  return [
    ...(settings.weighting === 'samples' ? (['weight'] as const) : []),
    ...(settings.metrics ? (['reported', 'wape', 'pinball'] as const) : []),
    ...(settings.adaptiveClip ? (['clipBit'] as const) : []),
  ];
}

/** The vector's length, known from the settings before the round's shape is. */
export function contributionLength(settings: ContributionSettings, parameterCount: number): number {
  return parameterCount + extraCoordinates(settings).length;
}

export function planContribution(
  settings: ContributionSettings,
  shape: RoundShape,
): ContributionPlan {
  validate(settings, shape);
  const present = extraCoordinates(settings);
  const d = shape.parameterCount;
  const extras: ContributionPlan['extras'] = {};
  present.forEach((name, i) => (extras[name] = d + i));
  const length = d + present.length;
  const relative = Math.sqrt(
    1 + present.reduce((sum, name) => sum + EXTRA_COORDINATES[name].share ** 2, 0),
  );
  const z = settings.noiseMultiplier;
  const n = shape.rosterSize;
  const honestShares = shape.threshold - shape.colluders;
  // Every survivor adds a share, so the sum's noise has at most n/(t − c) times (z·Δ̃)².
  const noiseSpread = NOISE_HEADROOM_SIGMAS * z * Math.sqrt(n / honestShares);
  const room = 2 ** (shape.modulusBits - 1) - 1;
  for (let g = 2 ** (shape.modulusBits - 1); g >= MIN_UNITS_PER_CLIP; g /= 2) {
    const sensitivity = roundedNormBound(g * relative, length);
    if (n * (g + 1) + noiseSpread * sensitivity > room) continue;
    const honestStd = z * sensitivity;
    return {
      settings,
      shape,
      extras,
      length,
      unitsPerClip: g,
      sensitivity,
      shareVariance: (honestStd * honestStd) / honestShares,
      honestShares,
    };
  }
  throw new RangeError(
    `a ${shape.modulusBits}-bit ring has no room for the sum of ${n} contributions at this noise`,
  );
}

/** Grid units per raw unit of an extra coordinate. */
export function extraScale(plan: ContributionPlan, name: ExtraCoordinate): number {
  const { bound, share } = EXTRA_COORDINATES[name];
  return (plan.unitsPerClip * share) / bound;
}

/** The weight w̄ ∈ (0, 1] of a shop with this many training samples. */
export function normalisedWeight(sampleCount: number, settings: ContributionSettings): number {
  if (settings.weighting === 'equal') return 1;
  if (!(sampleCount >= 0) || !Number.isFinite(sampleCount))
    throw new RangeError('sample count must be finite and ≥ 0');
  const cap = settings.maxSampleWeight;
  return Math.max(1, Math.min(Math.floor(sampleCount), cap)) / cap;
}

/**
 * What one round of this plan costs, for the accountant: the honest shares' z over the rounded
 * sensitivity, and τ over as many shares as the roster has (τ only grows with the count, so
 * this bounds every possible number of honest survivors).
 */
export function roundPrivacy(plan: ContributionPlan, sampleRate = 1): DiscreteRound {
  return {
    noiseMultiplier: Math.sqrt(plan.honestShares * plan.shareVariance) / plan.sensitivity,
    tau: discreteTau(plan.shareVariance, plan.shape.rosterSize),
    dimension: plan.length,
    sampleRate,
  };
}
