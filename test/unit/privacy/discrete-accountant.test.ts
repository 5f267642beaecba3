import { describe, expect, it } from 'vitest';
import {
  computeRdp,
  discreteEpsilon,
  discreteTau,
  rdpDiscreteRound,
  computeEpsilon,
  type DiscreteRound,
} from '../../../federated/privacy/index.ts';

describe('distributed discrete Gaussian accountant', () => {
  it('agrees with compute_rdp_dgaussian_simplified (google-research distributed_dp)', () => {
    // One step at orders 2, 3, 5, 8, 16, 32, 64, 128, 256 with l2_scale = 1/z, computed with
    // that function (and its _compute_rdp_subsampled for q < 1) under numpy/scipy.
    const orders = [2, 3, 5, 8, 16, 32, 64, 128, 256];
    const reference: [DiscreteRound, number[]][] = [
      [{ noiseMultiplier: 1, tau: 0, dimension: 1000 }, [1, 1.5, 2.5, 4, 8, 16, 32, 64, 128]],
      [
        { noiseMultiplier: 0.8, tau: 1.6063788426722478, dimension: 1797 },
        [
          2888.2252802820294, 2889.0065302820294, 2890.5690302820294, 2892.9127802820294,
          2899.1627802820294, 2911.6627802820294, 2936.6627802820294, 2986.6627802820294,
          3086.6627802820294,
        ],
      ],
      [
        { noiseMultiplier: 1.5, tau: 0.10219771003017405, dimension: 100 },
        [
          2.851517771721253, 4.277276657581879, 7.128794429303133, 11.406071086885012,
          13.77532655857296, 17.330882114128514, 24.441993225239628, 38.66421544746185,
          67.10865989190629,
        ],
      ],
      [
        { noiseMultiplier: 1.2, tau: 0, dimension: 1797, sampleRate: 0.1 },
        [
          0.009976035586071741, 0.02447302015088998, 0.08013716443507876, 0.4232139919672487,
          3.172993477853533, 8.769688189875076, 19.900526449794434, 42.132379250628944,
          86.5815823339171,
        ],
      ],
      [
        { noiseMultiplier: 0.9, tau: 0.45657018950075623, dimension: 500, sampleRate: 0.05 },
        [
          122.15842744058598, 188.280545715544, 227.9015022336891, 229.95661694106442,
          235.03943102104162, 244.98125147770992, 264.7654223006972, 304.2867702031996,
          383.30661414863357,
        ],
      ],
    ];
    for (const [round, expected] of reference)
      orders.forEach((alpha, k) =>
        expect(rdpDiscreteRound(round, alpha) / expected[k]! - 1).toBeCloseTo(0, 9),
      );
    // τ as ddgauss_epsilon sums it, for share variances 0.3 (20 shares), 0.5 (8), 0.4 (30).
    expect(discreteTau(0.3, 20)).toBeCloseTo(1.6063788426722478, 12);
    expect(discreteTau(0.5, 8)).toBeCloseTo(0.10219771003017405, 12);
    expect(discreteTau(0.4, 30)).toBeCloseTo(0.45657018950075623, 12);
  });

  it('equals the Gaussian accountant when τ vanishes and every bakery takes part', () => {
    for (const z of [0.3, 0.7, 1.1, 4]) {
      const round = { noiseMultiplier: z, tau: 0, dimension: 2000 };
      expect(rdpDiscreteRound(round, 7.5)).toBeCloseTo(computeRdp(1, z, 1, [7.5])[0]!, 12);
      expect(discreteEpsilon({ round, rounds: 365, delta: 1e-5 }).epsilon).toBeCloseTo(
        computeEpsilon({ noiseMultiplier: z, rounds: 365, delta: 1e-5 }).epsilon,
        9,
      );
    }
    // Grid-unit shares in the thousands make τ exactly 0 in double precision.
    expect(discreteTau(1e6, 10_000)).toBe(0);
  });

  it('charges a noiseless round infinity and a non-participating one nothing', () => {
    const round = { noiseMultiplier: 0, tau: 0, dimension: 10 };
    expect(discreteEpsilon({ round, rounds: 1, delta: 1e-5 }).epsilon).toBe(Infinity);
    expect(rdpDiscreteRound({ ...round, sampleRate: 0.5 }, 3)).toBe(Infinity);
    expect(rdpDiscreteRound({ noiseMultiplier: 1, tau: 0, dimension: 10, sampleRate: 0 }, 3)).toBe(
      0,
    );
    expect(discreteEpsilon({ round, rounds: 0, delta: 1e-5 }).epsilon).toBe(0);
  });

  it('sampling never charges more than taking part always, and fractional orders round up', () => {
    const round = { noiseMultiplier: 1.1, tau: 0, dimension: 100, sampleRate: 0.2 };
    for (const alpha of [1.5, 2, 2.5, 7, 20])
      expect(rdpDiscreteRound(round, alpha)).toBeLessThanOrEqual(
        rdpDiscreteRound({ ...round, sampleRate: 1 }, Math.ceil(alpha)) + 1e-15,
      );
    expect(rdpDiscreteRound(round, 2.5)).toBe(rdpDiscreteRound(round, 3));
  });
});
