/**
 * What the default noise costs in forecast quality: the 20 young chain bakeries of the
 * consortium simulation (60 training days, 28 held out, 5 secure rounds) for a grid of clip
 * norms C and noise multipliers z, each beside its ε per round and per year of nightly rounds.
 *
 * z is the product's: the noise of its default secure round (t = ⌊2n/3⌋ + 1, c = ⌊n/3⌋, sample
 * weights and evaluation figures in the vector). The simulation's rounds still go through the
 * coordinator and shop wiring that passes equal weights, t = 2 and c = 0, so each run is given
 * the noise multiplier under which that wiring puts exactly the same discrete Gaussian noise
 * into the sum (`wiredNoiseFor`); once the wiring passes the roster and colluders, that
 * function becomes the identity. What differs meanwhile: the runs average with equal weights.
 */
import { discreteEpsilon } from '../../federated/privacy/discrete-accountant.ts';
import { planContribution, roundPrivacy } from '../../federated/privacy/plan.ts';
import { simulate, type SimulationProgress } from '../simulate.ts';

export const NOISE_COST_GRID: readonly { clipNorm: number; noiseMultiplier: number }[] = [
  { clipNorm: 0.5, noiseMultiplier: 0 },
  { clipNorm: 0.5, noiseMultiplier: 0.3636 },
  { clipNorm: 0.25, noiseMultiplier: 0 },
  { clipNorm: 0.25, noiseMultiplier: 0.5455 },
  { clipNorm: 0.25, noiseMultiplier: 0.8182 },
  { clipNorm: 0.125, noiseMultiplier: 0 },
  { clipNorm: 0.125, noiseMultiplier: 1.0909 },
  { clipNorm: 0.125, noiseMultiplier: 1.6364 },
];

const MODEL_PARAMETERS = 1797;

/** Standard deviation of the survivors' summed noise per update coordinate, in units of C. */
function sumNoise(plan: ReturnType<typeof planContribution>, survivors: number): number {
  return Math.sqrt(survivors * plan.shareVariance) / plan.unitsPerClip;
}

export function wiredNoiseFor(z: number, shops: number): number {
  if (z === 0) return 0;
  const product = planContribution(
    { clipNorm: 1, noiseMultiplier: z, weighting: 'samples', maxSampleWeight: 1000, metrics: true },
    {
      parameterCount: MODEL_PARAMETERS,
      rosterSize: shops,
      threshold: Math.floor((2 * shops) / 3) + 1,
      colluders: Math.floor(shops / 3),
      modulusBits: 32,
    },
  );
  const wired = (zWired: number) =>
    planContribution(
      {
        clipNorm: 1,
        noiseMultiplier: zWired,
        weighting: 'equal',
        maxSampleWeight: 1,
        metrics: false,
      },
      {
        parameterCount: MODEL_PARAMETERS,
        rosterSize: 255,
        threshold: 2,
        colluders: 0,
        modulusBits: 32,
      },
    );
  // The wired noise is proportional to its multiplier: scale a unit run to the product's.
  return sumNoise(product, shops) / sumNoise(wired(1), shops);
}

export type NoiseCostRow = {
  clipNorm: number;
  noiseMultiplier: number;
  simulatedNoiseMultiplier: number;
  epsilonPerRound: number;
  epsilonPerYear: number;
  rounds: number;
  wapeFederated: number;
  wapeMergedOnly: number;
  wapeLocal: number;
  costFederated: number;
  costLocal: number;
  federatedBeatsLocal: number;
  shops: number;
};

const epsilon = (z: number, rounds: number, shops: number) =>
  discreteEpsilon({
    round: roundPrivacy(
      planContribution(
        {
          clipNorm: 1,
          noiseMultiplier: z,
          weighting: 'samples',
          maxSampleWeight: 1000,
          metrics: true,
        },
        {
          parameterCount: MODEL_PARAMETERS,
          rosterSize: shops,
          threshold: Math.floor((2 * shops) / 3) + 1,
          colluders: Math.floor(shops / 3),
          modulusBits: 32,
        },
      ),
    ),
    rounds,
    delta: 1e-5,
  }).epsilon;

export async function noiseCost(
  file: string,
  onProgress: (p: SimulationProgress) => void = () => {},
  grid = NOISE_COST_GRID,
): Promise<NoiseCostRow[]> {
  const rows: NoiseCostRow[] = [];
  for (const { clipNorm, noiseMultiplier } of grid) {
    const shops = 20;
    const simulated = wiredNoiseFor(noiseMultiplier, shops);
    const r = await simulate({
      files: [file],
      holdoutDays: 28,
      trainDays: 60,
      rounds: 5,
      secureAggregation: true,
      noiseMultiplier: simulated,
      round: { clipNorm },
      onProgress,
    });
    const cost = (m: 'federated' | 'local') =>
      0.3 * r.overall.waste[m] + 0.7 * r.overall.shortage[m];
    rows.push({
      clipNorm,
      noiseMultiplier,
      simulatedNoiseMultiplier: simulated,
      epsilonPerRound: epsilon(noiseMultiplier, 1, shops),
      epsilonPerYear: epsilon(noiseMultiplier, 365, shops),
      rounds: r.rounds,
      wapeFederated: r.overall.wape.federated,
      wapeMergedOnly: r.globalOnly.wape,
      wapeLocal: r.overall.wape.local,
      costFederated: cost('federated'),
      costLocal: cost('local'),
      federatedBeatsLocal: r.shops.filter(
        (s) =>
          s.wape.federated !== null && s.wape.local !== null && s.wape.federated < s.wape.local,
      ).length,
      shops: r.shops.length,
    });
  }
  return rows;
}
