import { discreteEpsilon } from '../../federated/privacy/discrete-accountant.ts';
import { planContribution, roundPrivacy } from '../../federated/privacy/plan.ts';
import { describeEpsilon } from '../../federated/privacy/words.ts';
import { UsageError, optionalNumber, type Command } from '../command.ts';

function required(value: number | undefined, name: string): number {
  if (value === undefined) throw new UsageError(`--${name} is required`);
  return value;
}

/** Roughly the production model's size, rounded up: the parameter count only enters via τ·d. */
const DEFAULT_PARAMETERS = 2000;

export const privacyCommand: Command = {
  name: 'privacy',
  summary:
    'Privacy budget (epsilon) of T secure rounds with distributed discrete Gaussian noise (RDP accountant).',
  options: {
    'noise-multiplier': {
      type: 'string',
      value: 'Z',
      description:
        'Noise of the honest bakeries’ shares over the rounded sensitivity of one bakery’s whole contribution.',
      required: true,
    },
    rounds: { type: 'string', value: 'T', description: 'Number of rounds.', required: true },
    delta: { type: 'string', value: 'D', description: 'Target delta, e.g. 1e-5.', required: true },
    'sample-rate': {
      type: 'string',
      value: 'Q',
      description: 'Chance a bakery takes part in a round (Poisson sampling). Default 1.',
    },
    shops: {
      type: 'string',
      value: 'N',
      description: 'Bakeries in the signed roster of a round (default 20).',
    },
    threshold: {
      type: 'string',
      value: 'T',
      description: 'Fewest uploads of a completed round (default floor(2N/3)+1).',
    },
    colluders: {
      type: 'string',
      value: 'C',
      description: 'Bakeries that may collude with the coordinator (default floor(N/3)).',
    },
    parameters: {
      type: 'string',
      value: 'P',
      description: `Model parameters per update (default ${DEFAULT_PARAMETERS}).`,
    },
    json: {
      type: 'boolean',
      description: 'Print {"epsilon":E,"mechanism":…,"noiseMultiplier":Z,"tau":τ} only.',
    },
  },
  async run(options, io) {
    const z = required(optionalNumber(options, 'noise-multiplier', { min: 0 }), 'noise-multiplier');
    const rounds = required(optionalNumber(options, 'rounds', { integer: true, min: 0 }), 'rounds');
    const delta = required(optionalNumber(options, 'delta', { min: 0 }), 'delta');
    if (!(delta > 0 && delta < 1))
      throw new UsageError('--delta must be between 0 and 1 (exclusive)');
    const q = optionalNumber(options, 'sample-rate', { min: 0, max: 1 }) ?? 1;
    const n = optionalNumber(options, 'shops', { integer: true, min: 1 }) ?? 20;
    const t =
      optionalNumber(options, 'threshold', { integer: true, min: 1 }) ??
      Math.floor((2 * n) / 3) + 1;
    const c = optionalNumber(options, 'colluders', { integer: true, min: 0 }) ?? Math.floor(n / 3);
    const d =
      optionalNumber(options, 'parameters', { integer: true, min: 1 }) ?? DEFAULT_PARAMETERS;
    if (t > n) throw new UsageError('--threshold cannot exceed --shops');
    if (c >= t) throw new UsageError('--colluders must be below the threshold');
    // The product's round: sample weights, evaluation figures, no adaptive clipping (C cancels).
    const plan = planContribution(
      {
        clipNorm: 1,
        noiseMultiplier: z,
        weighting: 'samples',
        maxSampleWeight: 1000,
        metrics: true,
      },
      { parameterCount: d, rosterSize: n, threshold: t, colluders: c, modulusBits: 32 },
    );
    const round = roundPrivacy(plan, q);
    const epsilon = rounds === 0 || q === 0 ? 0 : discreteEpsilon({ round, rounds, delta }).epsilon;
    if (options.json) {
      // JSON has no Infinity; "no guarantee" is reported as null.
      io.out(
        JSON.stringify({
          epsilon: Number.isFinite(epsilon) ? epsilon : null,
          mechanism: 'distributed-discrete-gaussian',
          noiseMultiplier: round.noiseMultiplier,
          tau: round.tau,
        }),
      );
    } else {
      io.out(describeEpsilon(epsilon, rounds, delta, q));
      io.out(
        `Mechanism: each of the ${n} bakeries adds discrete Gaussian noise on the integer grid, sized so that the ${t - c} honest bakeries a completed round has at least (threshold ${t} minus ${c} that may collude with the coordinator) together carry noise multiplier ${round.noiseMultiplier.toFixed(3)}; accounted as the distributed discrete Gaussian (Kairouz, Liu, Steinke 2021${round.tau > 0 ? `, tau = ${round.tau.toPrecision(3)}` : ', tau = 0 at this size'}).`,
      );
    }
    return 0;
  },
};
