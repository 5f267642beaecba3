import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { shamirCombine, shamirSplit } from '../../../federated/secagg/protocol.ts';
import { toBase64 } from '../../../federated/secagg/bytes.ts';

describe('Shamir shares (shamir-secret-sharing, audited)', () => {
  it('any t or more shares rebuild the secret; t − 1 are refused or yield something else', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 2, max: 12 }).chain((n) =>
          fc.record({
            n: fc.constant(n),
            t: fc.integer({ min: 2, max: n }),
            secret: fc.uint8Array({ minLength: 32, maxLength: 32 }),
            order: fc.shuffledSubarray(
              Array.from({ length: n }, (_, i) => i),
              { minLength: n, maxLength: n },
            ),
            extra: fc.integer({ min: 0, max: n }),
          }),
        ),
        async ({ n, t, secret, order, extra }) => {
          const shares = await shamirSplit(secret, n, t);
          const take = Math.min(n, t + extra);
          const subset = order.slice(0, take).map((i) => shares[i]!);
          expect(toBase64(await shamirCombine(subset, t))).toBe(toBase64(secret));
          const tooFew = order.slice(0, t - 1).map((i) => shares[i]!);
          await expect(shamirCombine(tooFew, t)).rejects.toThrow(/shares, .* needed/);
          if (tooFew.length >= 2) {
            // Bypassing the count check: t − 1 points of a degree t − 1 polynomial say nothing.
            const guess = await shamirCombine(tooFew, tooFew.length);
            expect(toBase64(guess)).not.toBe(toBase64(secret));
          }
        },
      ),
      { numRuns: 60, seed: 6 },
    );
  });
});
