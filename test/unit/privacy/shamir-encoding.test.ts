import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { shamirCombine, shamirSplit } from '../../../federated/secagg/protocol.ts';
import {
  decodeFixedPoint,
  encodeFixedPoint,
  fixedPoint,
  ringAddInPlace,
} from '../../../federated/secagg/ring.ts';
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

describe('fixed-point encoding in Z_2^k', () => {
  it('decodes any sum of at most maxSummands encodings within m/(2·scale) of the true sum', () => {
    fc.assert(
      fc.property(
        fc
          .record({
            bits: fc.integer({ min: 16, max: 32 }),
            maxAbs: fc.double({ min: 1e-3, max: 1e3, noNaN: true }),
            maxSummands: fc.integer({ min: 1, max: 200 }),
          })
          .filter(({ bits, maxSummands }) => (2 ** (bits - 1) - 1) / maxSummands - 1 >= 1)
          .chain((spec) =>
            fc.record({
              spec: fc.constant(spec),
              rows: fc.array(
                fc.array(fc.double({ min: -1, max: 1, noNaN: true }), {
                  minLength: 4,
                  maxLength: 4,
                }),
                { minLength: 1, maxLength: spec.maxSummands },
              ),
            }),
          ),
        ({ spec, rows }) => {
          const code = fixedPoint({
            modulusBits: spec.bits,
            maxAbs: spec.maxAbs,
            maxSummands: spec.maxSummands,
          });
          const sum = new Uint32Array(4);
          const exact = [0, 0, 0, 0];
          for (const row of rows) {
            const values = row.map((v) => v * spec.maxAbs);
            const { encoded, clamped } = encodeFixedPoint(values, code);
            expect(clamped).toBe(0);
            ringAddInPlace(sum, encoded, spec.bits);
            values.forEach((v, i) => (exact[i]! += v));
          }
          const decoded = decodeFixedPoint(sum, code);
          const bound = rows.length / (2 * code.scale);
          exact.forEach((v, i) =>
            expect(Math.abs(decoded[i]! - v)).toBeLessThanOrEqual(
              bound * (1 + 1e-9) + 1e-12 * spec.maxAbs * rows.length,
            ),
          );
        },
      ),
      { numRuns: 300, seed: 32 },
    );
  });

  it('clamps (and counts) values beyond ±maxAbs instead of wrapping around', () => {
    const code = fixedPoint({ modulusBits: 32, maxAbs: 2, maxSummands: 10 });
    const { encoded, clamped } = encodeFixedPoint([5, -7, 1], code);
    expect(clamped).toBe(2);
    expect(
      Array.from(decodeFixedPoint(encoded, code)).map((v) => Math.round(v * 1e5) / 1e5),
    ).toEqual([2, -2, 1]);
    expect(() => encodeFixedPoint([NaN], code)).toThrow(/not finite/);
    expect(() => fixedPoint({ modulusBits: 8, maxAbs: 1, maxSummands: 200 })).toThrow(/no room/);
  });
});
