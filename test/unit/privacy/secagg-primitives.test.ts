import { hkdfSync } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  KeyRing,
  PROTOCOL,
  agree,
  generateEd25519,
  generateX25519,
  hkdf,
  signEd25519,
  verifyEd25519,
  withKeyRing,
} from '../../../federated/secagg/primitives.ts';
import { utf8 } from '../../../federated/secagg/bytes.ts';

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

describe('SecAgg key rings', () => {
  it('keeps the keys a party imported in its own ring only, and one-time keys in none', () => {
    const identity = generateEd25519();
    const signature = signEd25519(identity.secretKey, utf8('roster line'));
    const [mine, peer, once, ephemeral] = [1, 2, 3, 4].map(() => generateX25519());
    const shopA = new KeyRing();
    const shopB = new KeyRing();
    withKeyRing(shopA, () => {
      expect(verifyEd25519(identity.publicKey, utf8('roster line'), signature)).toBe(true);
      agree(mine!.secretKey, peer!.publicKey, mine!.publicKey);
      agree(once!.secretKey, ephemeral!.publicKey, once!.publicKey, true);
    });
    expect([...shopA.publicKeys.keys()].sort()).toEqual(
      [`Ed25519:${identity.publicKey}`, `X25519:${peer!.publicKey}`].sort(),
    );
    expect([...shopA.privateKeys.keys()]).toEqual([`X25519:${mine!.secretKey}`]);
    expect(shopB.publicKeys.size + shopB.privateKeys.size).toBe(0);
    // The same agreement from either side, whichever ring holds the keys.
    const fromA = withKeyRing(shopA, () => agree(mine!.secretKey, peer!.publicKey));
    const fromB = withKeyRing(shopB, () => agree(peer!.secretKey, mine!.publicKey));
    expect(Buffer.from(fromA).equals(Buffer.from(fromB))).toBe(true);
  });
});
