import { describe, expect, it } from 'vitest';
import { main } from '../../../cli/main.ts';
import { computeEpsilon } from '../../../federated/privacy/accountant.ts';
import { discreteEpsilon } from '../../../federated/privacy/discrete-accountant.ts';

async function run(args: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(args, {
    out: (l) => out.push(l),
    err: (l) => err.push(l),
    interactive: false,
  });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

describe('breadcast privacy', () => {
  it('prints {"epsilon":E} from the accountant, with Q defaulting to 1', async () => {
    const result = await run([
      'privacy',
      '--noise-multiplier',
      '1.1',
      '--rounds',
      '30',
      '--delta',
      '1e-5',
      '--json',
    ]);
    expect(result.code).toBe(0);
    const { epsilon } = JSON.parse(result.out) as { epsilon: number };
    expect(epsilon).toBeCloseTo(
      computeEpsilon({ noiseMultiplier: 1.1, rounds: 30, delta: 1e-5 }).epsilon,
      9,
    );
    const sampled = await run([
      'privacy',
      '--noise-multiplier',
      '1.5',
      '--rounds',
      '2250',
      '--delta',
      '1e-5',
      '--sample-rate',
      '0.04',
      '--json',
    ]);
    // Sampled discrete Gaussian rounds use Zhu–Wang's general bound, which is looser than the
    // continuous Gaussian's exact sampled RDP (Opacus: 7.329 for these settings).
    const sampledEpsilon = (JSON.parse(sampled.out) as { epsilon: number }).epsilon;
    expect(sampledEpsilon).toBeCloseTo(
      discreteEpsilon({
        round: { noiseMultiplier: 1.5, tau: 0, dimension: 2004, sampleRate: 0.04 },
        rounds: 2250,
        delta: 1e-5,
      }).epsilon,
      6,
    );
    expect(sampledEpsilon).toBeGreaterThan(7.3);
    expect(sampledEpsilon).toBeLessThan(15);
  });

  it('says plainly when the budget is large, and refuses bad arguments', async () => {
    const words = await run([
      'privacy',
      '--noise-multiplier',
      '1',
      '--rounds',
      '365',
      '--delta',
      '1e-5',
    ]);
    expect(words.out).toMatch(/After 365 rounds, .* epsilon = \d+\.\d\d .* weak guarantee/);
    expect(words.out).toMatch(/discrete Gaussian .* 8 honest bakeries .*\(threshold 14 minus 6/);
    const none = await run([
      'privacy',
      '--noise-multiplier',
      '0',
      '--rounds',
      '3',
      '--delta',
      '1e-5',
      '--json',
    ]);
    expect(JSON.parse(none.out)).toMatchObject({
      epsilon: null,
      mechanism: 'distributed-discrete-gaussian',
    });
    expect(
      (await run(['privacy', '--noise-multiplier', '1', '--rounds', '3', '--delta', '2'])).code,
    ).toBe(2);
    expect((await run(['privacy', '--rounds', '3', '--delta', '1e-5'])).err).toMatch(
      /--noise-multiplier is required/,
    );
  });
});
