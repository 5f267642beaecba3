/**
 * What the default noise costs in forecast quality: the 20 young chain bakeries of the
 * consortium simulation (60 training days, 28 held out, 5 secure rounds) for a grid of clip
 * norms C and noise multipliers z, each beside its ε per round and per year of nightly rounds.
 *
 * z is the product's: the shops' sync client sizes each round's noise from the signed roster
 * (t = ⌊2n/3⌋ + 1, c = ⌊n/3⌋, sample weights and evaluation figures in the vector), so each run
 * is the default secure round at that z.
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

export type NoiseCostRow = {
  clipNorm: number;
  noiseMultiplier: number;
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
    const r = await simulate({
      files: [file],
      holdoutDays: 28,
      trainDays: 60,
      rounds: 5,
      secureAggregation: true,
      noiseMultiplier,
      round: { clipNorm },
      onProgress,
    });
    const cost = (m: 'federated' | 'local') =>
      0.3 * r.overall.waste[m] + 0.7 * r.overall.shortage[m];
    rows.push({
      clipNorm,
      noiseMultiplier,
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
