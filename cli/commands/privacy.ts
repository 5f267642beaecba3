import { computeEpsilon } from '../../federated/privacy/accountant.ts';
import { describeEpsilon } from '../../federated/privacy/words.ts';
import { UsageError, optionalNumber, type Command } from '../command.ts';

function required(value: number | undefined, name: string): number {
  if (value === undefined) throw new UsageError(`--${name} is required`);
  return value;
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
