/**
 * The bound on a recovered sum: every sum honest shops produce passes it (whatever their updates,
 * weights and noise), a sum carrying a malicious shop's oversized or wrapped-around input fails,
 * and — the limit the docs state — a malicious input within the bound passes.
 */
import fc from 'fast-check';
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  encodeContribution,
  planContribution,
  seededRandom,
  type ContributionPlan,
} from '../../../federated/privacy/index.ts';
import { checkSumBound } from '../../../federated/privacy/sum-bound.ts';
import { ringAddInPlace } from '../../../federated/secagg/ring.ts';

const random = (label: string) =>
  seededRandom(new Uint8Array(createHash('sha256').update(label).digest()));

function planFor(n: number, d: number, z: number): ContributionPlan {
  return planContribution(
    {
      clipNorm: 0.5,
      noiseMultiplier: z,
      weighting: 'samples',
      maxSampleWeight: 100,
      metrics: true,
      adaptiveClip: null,
    },
    {
      parameterCount: d,
      rosterSize: n,
      threshold: Math.floor((2 * n) / 3) + 1,
      colluders: Math.floor(n / 3),
      modulusBits: 32,
    },
  );
}

/** The ring sum of m honest contributions, update i scaled by `scales[i]` (clipped when large). */
function honestSum(
  plan: ContributionPlan,
  scales: number[],
  label: string,
  aligned = false,
): Uint32Array {
  const d = plan.shape.parameterCount;
  const sum = new Uint32Array(plan.length);
  scales.forEach((scale, i) => {
    const update = Float32Array.from(
      { length: d },
      (_, j) => scale * Math.sin((aligned ? 0 : i * 7) + j),
    );
    const { encoded } = encodeContribution(
      plan,
      { update, sampleCount: 1 + ((i * 37) % 150), metrics: { wape: 0.3, pinball: 0.1 } },
      random(`${label}-${i}`),
    );
    ringAddInPlace(sum, encoded, 32);
  });
  return sum;
}

/** A ring vector with signed value `value` at `at` and zero elsewhere. */
function spike(length: number, at: number, value: number): Uint32Array {
  const v = new Uint32Array(length);
  v[at] = value >>> 0;
  return v;
}

describe('the bound on a recovered sum', () => {
  it('passes every sum honest shops produce, aligned updates and noise included', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 3, max: 30 }),
        fc.integer({ min: 1, max: 40 }),
        fc.constantFrom(0, 0.5, 1.1, 3),
        fc.array(fc.double({ min: 0, max: 50, noNaN: true }), { minLength: 30, maxLength: 30 }),
        fc.boolean(),
        (n, d, z, scales, aligned) => {
          const plan = planFor(n, d, z);
          const m = Math.floor((2 * n) / 3) + 1;
          const check = checkSumBound(
            plan,
            honestSum(plan, scales.slice(0, m), `h${n}-${d}`, aligned),
            m,
          );
          expect(check.ok, JSON.stringify(check)).toBe(true);
        },
      ),
      { numRuns: 60 },
    );
  });

  it('fails a sum with an oversized or wrapped-around malicious input', () => {
    const n = 20;
    const plan = planFor(n, 50, 1.1);
    const m = 15;
    const honest = honestSum(plan, Array(m - 1).fill(1), 'attack');
    // More than the whole consortium could produce (m·Δ̃) plus the noise's slack.
    const oversized = Uint32Array.from(honest);
    ringAddInPlace(oversized, spike(plan.length, 3, Math.round(4 * m * plan.sensitivity)), 32);
    expect(checkSumBound(plan, oversized, m).ok).toBe(false);
    // Near 2^31 the sum wraps to a large negative value: caught the same way.
    const wrapped = Uint32Array.from(honest);
    ringAddInPlace(wrapped, spike(plan.length, 7, 2 ** 31 - 5), 32);
    expect(checkSumBound(plan, wrapped, m).ok).toBe(false);
    // Uniformly random words (a shop uploading garbage) are caught with overwhelming probability.
    const garbage = Uint32Array.from(honest);
    ringAddInPlace(
      garbage,
      Uint32Array.from({ length: plan.length }, (_, i) => (i * 2654435761) >>> 0),
      32,
    );
    expect(checkSumBound(plan, garbage, m).ok).toBe(false);
  });

  it('lets through a malicious input within the bound: the stated limit of this step', () => {
    const plan = planFor(20, 50, 1.1);
    const m = 15;
    const honest = honestSum(plan, Array(m - 1).fill(1), 'limit');
    // Ten honest shops' worth of influence in one coordinate: far beyond one honest input (≤ Δ̃).
    const poisoned = Uint32Array.from(honest);
    ringAddInPlace(poisoned, spike(plan.length, 0, Math.round(10 * plan.sensitivity)), 32);
    expect(checkSumBound(plan, poisoned, m).ok).toBe(true);
  });
});
