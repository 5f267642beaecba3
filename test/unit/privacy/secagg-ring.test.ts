import fc from 'fast-check';
import { createCipheriv } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { maskKeystream } from '../../../federated/secagg/primitives.ts';
import { ringKernel } from '../../../federated/secagg/ring-kernel.ts';
import {
  addMaskInPlace,
  addMasksInPlace,
  maskVector,
  ringAddInPlace,
  ringSubInPlace,
} from '../../../federated/secagg/ring.ts';

// The ring runs on signed views for speed; these check it against plain arithmetic mod 2^k.
const modulus = (k: number) => 2 ** k;
const reduce = (x: number, k: number) => ((x % modulus(k)) + modulus(k)) % modulus(k);

const vectors = fc.integer({ min: 8, max: 32 }).chain((k) =>
  fc.integer({ min: 1, max: 300 }).chain((length) =>
    fc.record({
      k: fc.constant(k),
      a: fc.array(fc.integer({ min: 0, max: modulus(k) - 1 }), {
        minLength: length,
        maxLength: length,
      }),
      b: fc.array(fc.integer({ min: 0, max: modulus(k) - 1 }), {
        minLength: length,
        maxLength: length,
      }),
    }),
  ),
);

describe('ring arithmetic mod 2^k', () => {
  it('adds and subtracts word by word exactly as integers mod 2^k', () => {
    fc.assert(
      fc.property(vectors, ({ k, a, b }) => {
        const sum = Uint32Array.from(a);
        ringAddInPlace(sum, Uint32Array.from(b), k);
        expect([...sum]).toEqual(a.map((x, i) => reduce(x + b[i]!, k)));
        const difference = Uint32Array.from(a);
        ringSubInPlace(difference, Uint32Array.from(b), k);
        expect([...difference]).toEqual(a.map((x, i) => reduce(x - b[i]!, k)));
      }),
    );
  });

  it('expands a mask key with AES-128-CTR under its first 128 bits, from counter 0', () => {
    // NIST SP 800-38A F.5.1's key; CTR from a zero counter block over zeros is the keystream.
    const key = new Uint8Array(32);
    key.set(Buffer.from('2b7e151628aed2a6abf7158809cf4f3c', 'hex'));
    key.fill(0xa5, 16);
    const reference = createCipheriv('aes-128-ecb', key.subarray(0, 16), null);
    const blocks = Buffer.alloc(16 * 3);
    for (let i = 0; i < 3; i++) blocks[16 * i + 15] = i;
    const expected = reference.update(blocks);
    expect(Buffer.from(maskKeystream(key, 48)).toString('hex')).toBe(expected.toString('hex'));
  });

  it('adds and removes the keystream words reduced to k bits, also across keystream pieces', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 8, max: 32 }),
        fc.uint8Array({ minLength: 32, maxLength: 32 }),
        // Up to 40,000 words: the keystream comes in 16,384-word pieces.
        fc.integer({ min: 1, max: 40_000 }),
        fc.constantFrom<1 | -1>(1, -1),
        (k, key, length, sign) => {
          const bytes = maskKeystream(key, length * 4);
          const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
          const words = Array.from({ length }, (_, i) => reduce(view.getUint32(i * 4, true), k));
          expect([...maskVector(key, length, k)]).toEqual(words);
          const start = Array.from({ length }, (_, i) => (i * 2654435761) % modulus(k));
          const target = Uint32Array.from(start);
          addMaskInPlace(target, key, k, sign);
          expect([...target]).toEqual(start.map((x, i) => reduce(x + sign * words[i]!, k)));
        },
      ),
      { numRuns: 40 },
    );
  });

  it('applies a batch of masks with the SIMD kernel exactly as the JavaScript loop, word for word', () => {
    // Node and Electron both run WebAssembly SIMD; the kernel must be the path taken here.
    expect(ringKernel()).not.toBeNull();
    fc.assert(
      fc.property(
        fc.integer({ min: 8, max: 32 }),
        // Lengths around the 16-byte steps and across the first 16,384-word keystream piece.
        fc.oneof(fc.integer({ min: 1, max: 40 }), fc.integer({ min: 16_380, max: 16_400 })),
        fc.array(
          fc.record({
            key: fc.uint8Array({ minLength: 32, maxLength: 32 }),
            sign: fc.constantFrom<1 | -1>(1, -1),
          }),
          { minLength: 1, maxLength: 5 },
        ),
        (k, length, masks) => {
          const start = Uint32Array.from({ length }, (_, i) => (i * 2654435761) % modulus(k));
          const simd = Uint32Array.from(start);
          addMasksInPlace(simd, masks, k);
          const loop = Uint32Array.from(start);
          addMasksInPlace(loop, masks, k, { simd: false });
          expect(simd).toEqual(loop);
          // The masks cancel: adding and then removing them restores the vector.
          addMasksInPlace(
            simd,
            masks.map((m) => ({ key: m.key, sign: m.sign === 1 ? -1 : 1 })),
            k,
          );
          expect(simd).toEqual(start);
        },
      ),
      { numRuns: 40 },
    );
  });

  it('leaves no input or mask material in the kernel’s memory', () => {
    const target = Uint32Array.from({ length: 1000 }, (_, i) => i + 1);
    addMasksInPlace(target, [{ key: new Uint8Array(32).fill(7), sign: 1 }], 32);
    expect(new Uint8Array(ringKernel()!.memory.buffer).every((b) => b === 0)).toBe(true);
  });
});
