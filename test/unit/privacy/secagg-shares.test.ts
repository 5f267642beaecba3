import fc from 'fast-check';
import { combine, split } from 'shamir-secret-sharing';
import { describe, expect, it } from 'vitest';
import { fromBase64, toBase64 } from '../../../federated/secagg/bytes.ts';
import { MerkleTree, merkleRoot, merkleVerify } from '../../../federated/secagg/merkle.ts';
import {
  newOpening,
  shamirCombine,
  shamirSplit,
  shareCommitment,
} from '../../../federated/secagg/shamir.ts';

describe('Shamir shares and their commitments', () => {
  it('combines any t shares of a split exactly as the audited library does', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.uint8Array({ minLength: 32, maxLength: 32 }),
        fc.integer({ min: 2, max: 40 }).chain((n) =>
          fc.record({
            n: fc.constant(n),
            t: fc.integer({ min: 2, max: n }),
            pick: fc.shuffledSubarray(
              Array.from({ length: n }, (_, i) => i),
              { minLength: n, maxLength: n },
            ),
          }),
        ),
        async (secret, { n, t, pick }) => {
          const shares = shamirSplit(secret, n, t);
          const chosen = pick.slice(0, t).map((i) => shares[i]!);
          const mine = shamirCombine(chosen);
          expect(Array.from(mine)).toEqual(Array.from(secret));
          expect(Array.from(mine)).toEqual(
            Array.from(await combine(chosen.map((s) => fromBase64(s)))),
          );
          if (t > 2) {
            // Below threshold the result is unrelated to the secret (checked by commitments).
            const short = shamirCombine(chosen.slice(0, t - 1));
            expect(Array.from(short)).not.toEqual(Array.from(secret));
          }
        },
      ),
      { numRuns: 60, seed: 99 },
    );
  });

  it('rebuilds the audited library’s splits too', async () => {
    const secret = new Uint8Array(32).map((_, i) => i * 7);
    const shares = (await split(secret, 30, 12)).map((b) => toBase64(b));
    expect(Array.from(shamirCombine(shares.slice(10, 22)))).toEqual(Array.from(secret));
  });

  it('reconstructs from 255 shares, the most one split has', () => {
    const secret = new Uint8Array(32).fill(7);
    const shares = shamirSplit(secret, 255, 170);
    expect(Array.from(shamirCombine(shares.slice(85)))).toEqual(Array.from(secret));
    expect(() => shamirSplit(secret, 256, 170)).toThrow(/cannot split/);
  });

  it('t − 1 shares are uniformly distributed whatever the secret', () => {
    // Two shares of a 3-of-5 split: their first bytes must be jointly uniform for any secret.
    for (const fill of [0x00, 0xa5]) {
      const secret = new Uint8Array(32).fill(fill);
      const bins = new Float64Array(256);
      const runs = 40_000;
      for (let r = 0; r < runs; r++) {
        const [a, b] = shamirSplit(secret, 5, 3).map((s) => fromBase64(s));
        bins[(a![0]! >> 4) * 16 + (b![0]! >> 4)]! += 1;
      }
      const expected = runs / 256;
      const chi = bins.reduce((sum, c) => sum + (c - expected) ** 2 / expected, 0);
      // 255 degrees of freedom: 340 is beyond the 0.9997 quantile.
      expect(chi).toBeLessThan(340);
    }
  });

  it('commitments bind the share, its owner, holder and kind, and hide it behind a nonce', () => {
    const [share] = shamirSplit(new Uint8Array(32).fill(1), 3, 2);
    const opening = newOpening(share!);
    const c = shareCommitment('ZGlnZXN0', 'self-mask', 'a', 'b', opening);
    expect(shareCommitment('ZGlnZXN0', 'self-mask', 'a', 'b', opening)).toBe(c);
    expect(shareCommitment('ZGlnZXN0', 'mask-key', 'a', 'b', opening)).not.toBe(c);
    expect(shareCommitment('ZGlnZXN0', 'self-mask', 'a', 'c', opening)).not.toBe(c);
    const bytes = fromBase64(share!);
    bytes[0] = bytes[0]! ^ 1;
    expect(
      shareCommitment('ZGlnZXN0', 'self-mask', 'a', 'b', { ...opening, share: toBase64(bytes) }),
    ).not.toBe(c);
    // Same share, fresh nonce: a different commitment, so equal shares cannot be spotted.
    expect(shareCommitment('ZGlnZXN0', 'self-mask', 'a', 'b', newOpening(share!))).not.toBe(c);
  });
});

describe('Merkle tree of share keys', () => {
  it('verifies every leaf against the root and refuses any other key, index or path', () => {
    for (const count of [1, 2, 3, 7, 8, 9, 254]) {
      const keys = Array.from({ length: count }, (_, i) => toBase64(new Uint8Array(32).fill(i)));
      const tree = new MerkleTree(keys);
      expect(tree.root).toBe(merkleRoot(keys));
      keys.forEach((key, i) => {
        const path = tree.path(i);
        expect(merkleVerify(tree.root, i, key, path)).toBe(true);
        if (count > 1) {
          expect(merkleVerify(tree.root, (i + 1) % count, key, path)).toBe(false);
          expect(merkleVerify(tree.root, i, keys[(i + 1) % count]!, path)).toBe(false);
        }
      });
      expect(merkleVerify(tree.root, count, keys[0]!, tree.path(0))).toBe(false);
    }
  });
});
