/** Differential privacy for federated rounds: clipping, noise shares, adaptive clipping, accounting. */
export { l2Norm, clipToNorm, type Clipped } from './clip.ts';
export {
  cryptoRandom,
  seededRandom,
  gaussianSamples,
  noiseShareStd,
  type RandomSource,
} from './gaussian.ts';
export {
  DEFAULT_ADAPTIVE_CLIPPING,
  updateNoiseMultiplier,
  clipBitCoordinate,
  unclippedFraction,
  nextClipNorm,
  type AdaptiveClipping,
} from './adaptive-clip.ts';
export {
  NOISE_RANGE_SIGMAS,
  encodingFor,
  vectorLengthFor,
  prepareContribution,
  finishAggregate,
  type PrivacySettings,
  type Contribution,
  type Aggregate,
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
export { logErfc } from './log-erfc.ts';
export { describeEpsilon } from './words.ts';
