/** Differential privacy for federated rounds: clipping, discrete noise, encoding, accounting. */
export { l2Norm, clipToNorm, type Clipped } from './clip.ts';
export { cryptoRandom, seededRandom, RandomBits, type RandomSource } from './random.ts';
export {
  discreteGaussianSampler,
  discreteGaussianSamples,
  type SamplerOptions,
} from './discrete-gaussian.ts';
export { ROUNDING_BETA, roundedNormBound, conditionalRound } from './rounding.ts';
export { DEFAULT_ADAPTIVE_CLIPPING, nextClipNorm, type AdaptiveClipping } from './adaptive-clip.ts';
export {
  EXTRA_COORDINATES,
  NOISE_HEADROOM_SIGMAS,
  planContribution,
  roundPrivacy,
  normalisedWeight,
  type ContributionSettings,
  type RoundShape,
  type ContributionPlan,
  type ExtraCoordinate,
} from './plan.ts';
export {
  encodeContribution,
  decodeAggregate,
  fromRing,
  type ContributionInput,
  type EncodedContribution,
  type EvaluationFigures,
  type DecodedAggregate,
  type NoisedFigure,
} from './contribution.ts';
export {
  DEFAULT_ORDERS,
  OPACUS_ORDERS,
  rdpSampledGaussian,
  computeRdp,
  epsilonFromRdp,
  computeEpsilon,
  emptyBudget,
  spendRound,
  budgetEpsilon,
  type FractionalSeries,
  type PrivacyBudget,
} from './accountant.ts';
export {
  discreteTau,
  rdpDiscreteRound,
  discreteEpsilon,
  spendDiscreteRound,
  type DiscreteRound,
} from './discrete-accountant.ts';
export { logErfc } from './log-erfc.ts';
export { describeEpsilon } from './words.ts';
export { TAIL as SUM_BOUND_TAIL, checkSumBound, type SumCheck } from './sum-bound.ts';
