import { hkdfSync } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { PROTOCOL, hkdf } from '../../../federated/secagg/primitives.ts';

describe('SecAgg key derivation', () => {
  it('derives exactly what node:crypto’s HKDF-SHA256 derives, salt empty or not', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 0, maxLength: 80 }),
        fc.uint8Array({ minLength: 0, maxLength: 80 }),
        fc.string({ maxLength: 60 }),
        fc.integer({ min: 1, max: 200 }),
        (ikm, salt, label, length) => {
          const expected = new Uint8Array(
            hkdfSync('sha256', ikm, salt, Buffer.from(`${PROTOCOL}/${label}`), length),
          );
          expect(hkdf(ikm, salt, label, length)).toEqual(expected);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('refuses an output length HKDF cannot produce', () => {
    expect(() => hkdf(new Uint8Array(32), new Uint8Array(0), 'x', 0)).toThrow(/length/);
    expect(() => hkdf(new Uint8Array(32), new Uint8Array(0), 'x', 255 * 32 + 1)).toThrow(/length/);
  });
});
