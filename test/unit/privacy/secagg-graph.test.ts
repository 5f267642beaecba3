import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SeededStream, randomRegularGraph } from '../../../federated/secagg/graph.ts';
import { sha256 } from '../../../federated/secagg/primitives.ts';
import { utf8 } from '../../../federated/secagg/bytes.ts';

const seedOf = (label: string | number) => sha256(utf8(`graph-test-${label}`));

function connected(graph: Int32Array[]): boolean {
  const seen = new Uint8Array(graph.length);
  const stack = [0];
  seen[0] = 1;
  while (stack.length) {
    for (const j of graph[stack.pop()!]!) {
      if (!seen[j]) {
        seen[j] = 1;
        stack.push(j);
      }
    }
  }
  return seen.every((s) => s === 1);
}

describe('SecAgg+ random regular graph', () => {
  it('is simple, k-regular, symmetric and connected for any roster size and degree', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 8, max: 160 }),
        fc.integer({ min: 4, max: 158 }),
        fc.integer(),
        (n, rawK, seed) => {
          const k = Math.min(rawK, n - 1) - ((n * Math.min(rawK, n - 1)) % 2);
          if (k < 4) return;
          const graph = randomRegularGraph(n, k, seedOf(seed));
          expect(graph).toHaveLength(n);
          graph.forEach((near, i) => {
            expect(near.length).toBe(k);
            expect(new Set(near).size).toBe(k);
            expect(near.includes(i)).toBe(false);
            for (const j of near) expect(graph[j]!.includes(i)).toBe(true);
          });
          expect(connected(graph)).toBe(true);
        },
      ),
      { numRuns: 60, seed: 2030 },
    );
  });

  it('is fixed by its seed and changes with it', () => {
    const a = randomRegularGraph(40, 6, seedOf('a'));
    expect(randomRegularGraph(40, 6, seedOf('a'))).toEqual(a);
    expect(randomRegularGraph(40, 6, seedOf('b'))).not.toEqual(a);
  });

  it('draws the very graph this protocol version has always drawn from a seed (shops and coordinator must agree)', () => {
    // Digests of graphs drawn by the first implementation; a faster one must draw the same edges,
    // dense (complement above k = (n − 1)/2, and below) and sparse (n above 4096).
    const pinned: [number, number, string][] = [
      [500, 254, '5476d2831c4ce2fa1f8783b752ad1d59ce559887ce96e82e8ab3d507e960bdff'],
      [500, 120, '7454b5e765d89f4e55034dd4193c17a288d85522945458469880b3e2c0b4f432'],
      [151, 76, '77e171170cd9d5486baba27f2d228293e8bbef6369059cba74061a18a4dd42ef'],
      [5000, 40, 'e9f64a2c48273787604e6274fbe688a8e805a7f0011982aeedfa0fda79685fac'],
    ];
    for (const [n, k, digest] of pinned) {
      const hash = createHash('sha256');
      for (const near of randomRegularGraph(n, k, seedOf(`pinned-${n}-${k}`)))
        hash.update(`${near.join(',')};`);
      expect(hash.digest('hex')).toBe(digest);
    }
  });

  it('gives every shop a uniformly random set of neighbours (the relabelling the bound relies on)', () => {
    // Over many seeds, each pair must be adjacent with probability k/(n − 1) whatever its labels.
    const n = 12;
    const k = 4;
    const runs = 3000;
    const counts = new Float64Array(n * n);
    for (let r = 0; r < runs; r++) {
      randomRegularGraph(n, k, seedOf(`u${r}`)).forEach((near, i) => {
        for (const j of near) counts[i * n + j]! += 1;
      });
    }
    const expected = (runs * k) / (n - 1);
    let chi = 0;
    for (let i = 0; i < n; i++)
      for (let j = i + 1; j < n; j++) chi += (counts[i * n + j]! - expected) ** 2 / expected;
    // 66 pairs: chi-square with ~65 degrees of freedom; 110 is beyond its 0.9995 quantile.
    expect(chi).toBeLessThan(110);
  });

  it('refuses impossible degrees', () => {
    expect(() => randomRegularGraph(5, 3, seedOf(1))).toThrow(/no 3-regular graph/);
    expect(() => randomRegularGraph(5, 5, seedOf(1))).toThrow(/no 5-regular graph/);
  });

  it('draws unbiased integers from the seeded stream', () => {
    const stream = new SeededStream(seedOf('stream'));
    const bins = new Float64Array(7);
    for (let i = 0; i < 70_000; i++) bins[stream.below(7)]! += 1;
    for (const b of bins) expect(Math.abs(b - 10_000)).toBeLessThan(500);
  });
});
