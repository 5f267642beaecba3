/**
 * Bench part (noise): CPU cost of the shop's noise and encoding for one secure round, against
 * drawing the same number of plain uniforms from the CSPRNG in the same run (the least any
 * sampler must spend on randomness). CPU time of this process, so other jobs on the machine
 * inflate it less than wall time.
 */
import { discreteGaussianSamples } from '../../federated/privacy/discrete-gaussian.ts';
import { encodeContribution } from '../../federated/privacy/contribution.ts';
import { planContribution } from '../../federated/privacy/plan.ts';
import { cryptoRandom, RandomBits } from '../../federated/privacy/random.ts';

export type NoiseBenchResult = {
  parameters: number;
  shops: number;
  noiseMultiplier: number;
  /** Share variance in grid units² (the sampler's σ²). */
  shareVariance: number;
  samplerMs: number;
  encodeMs: number;
  uniformsMs: number;
};

function cpuMs<T>(run: () => T): { ms: number; value: T } {
  const before = process.cpuUsage();
  const value = run();
  const used = process.cpuUsage(before);
  return { ms: (used.user + used.system) / 1000, value };
}

/** Best of `repeats`, so a preempted run does not set the figure. */
function best(repeats: number, run: () => unknown): number {
  let min = Infinity;
  for (let i = 0; i < repeats; i++) min = Math.min(min, cpuMs(run).ms);
  return min;
}

export function benchNoise(
  parameters = 100_000,
  shops = 20,
  noiseMultiplier = 0.5,
): NoiseBenchResult {
  const plan = planContribution(
    {
      clipNorm: 1,
      noiseMultiplier,
      weighting: 'samples',
      maxSampleWeight: 1000,
      metrics: true,
    },
    {
      parameterCount: parameters,
      rosterSize: shops,
      threshold: Math.floor((2 * shops) / 3) + 1,
      colluders: Math.floor(shops / 3),
      modulusBits: 32,
    },
  );
  const update = Float64Array.from({ length: parameters }, (_, i) => Math.sin(i) * 0.01);
  const samplerMs = best(5, () =>
    discreteGaussianSamples(plan.length, plan.shareVariance, cryptoRandom),
  );
  const encodeMs = best(5, () =>
    encodeContribution(plan, { update, sampleCount: 500, metrics: { wape: 0.3, pinball: 0.1 } }),
  );
  const uniformsMs = best(5, () => {
    const bits = new RandomBits(cryptoRandom);
    const out = new Float64Array(plan.length);
    for (let i = 0; i < out.length; i++) out[i] = bits.uint53();
    return out;
  });
  return {
    parameters,
    shops,
    noiseMultiplier,
    shareVariance: plan.shareVariance,
    samplerMs,
    encodeMs,
    uniformsMs,
  };
}
