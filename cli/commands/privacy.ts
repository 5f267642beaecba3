import { computeEpsilon } from '../../federated/privacy/accountant.ts';
import { UsageError, optionalNumber, type Command } from '../command.ts';

function required(value: number | undefined, name: string): number {
  if (value === undefined) throw new UsageError(`--${name} is required`);
  return value;
}

/** Plain words for an owner or operator; large budgets are said to be large, not softened. */
export function describeEpsilon(epsilon: number, rounds: number, delta: number, q: number): string {
  const who =
    q === 1
      ? 'every bakery taking part in every round'
      : `each bakery taking part in a round with probability ${q}`;
  const base = `After ${rounds} round${rounds === 1 ? '' : 's'}, with ${who}, the published models together have a privacy budget of epsilon = ${Number.isFinite(epsilon) ? epsilon.toFixed(2) : 'infinity'} (delta = ${delta}).`;
  if (!Number.isFinite(epsilon))
    return `${base} Without noise there is no formal privacy guarantee at all: only secure aggregation and clipping protect a bakery.`;
  if (epsilon <= 1)
    return `${base} That is a strong guarantee: the models reveal very little about whether any one bakery took part or what it sold.`;
  if (epsilon <= 10)
    return `${base} That is a moderate guarantee, in the range many published deployments use; it is not a promise that nothing about a bakery can be inferred.`;
  return `${base} That is a weak guarantee: with few bakeries and nightly rounds the budget grows large, so treat the noise as making inference harder, not impossible. More bakeries, fewer rounds or more noise lower it.`;
}

export const privacyCommand: Command = {
  name: 'privacy',
  summary: 'Privacy budget (epsilon) of T rounds of noised secure aggregation (RDP accountant).',
  options: {
    'noise-multiplier': {
      type: 'string',
      value: 'Z',
      description: 'Noise standard deviation of the sum divided by the clip norm.',
      required: true,
    },
    rounds: { type: 'string', value: 'T', description: 'Number of rounds.', required: true },
    delta: { type: 'string', value: 'D', description: 'Target delta, e.g. 1e-5.', required: true },
    'sample-rate': {
      type: 'string',
      value: 'Q',
      description: 'Chance a bakery takes part in a round (Poisson sampling). Default 1.',
    },
    json: { type: 'boolean', description: 'Print {"epsilon":E} only.' },
  },
  async run(options, io) {
    const z = required(optionalNumber(options, 'noise-multiplier', { min: 0 }), 'noise-multiplier');
    const rounds = required(optionalNumber(options, 'rounds', { integer: true, min: 0 }), 'rounds');
    const delta = required(optionalNumber(options, 'delta', { min: 0 }), 'delta');
    if (!(delta > 0 && delta < 1))
      throw new UsageError('--delta must be between 0 and 1 (exclusive)');
    const q = optionalNumber(options, 'sample-rate', { min: 0, max: 1 }) ?? 1;
    const epsilon =
      rounds === 0 || q === 0
        ? 0
        : computeEpsilon({ noiseMultiplier: z, rounds, delta, sampleRate: q }).epsilon;
    if (options.json) {
      // JSON has no Infinity; "no guarantee" is reported as null.
      io.out(JSON.stringify({ epsilon: Number.isFinite(epsilon) ? epsilon : null }));
    } else {
      io.out(describeEpsilon(epsilon, rounds, delta, q));
    }
    return 0;
  },
};
