import { generateKeyPairSync } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  decodeFloat32,
  encodeFloat32,
  generateShopKeyPair,
  isEd25519PublicKey,
  publicKeyObject,
  signRequest,
  verifyRequest,
  weightsHash,
} from '../../../federated/protocol/index.ts';

describe('weights encoding', () => {
  it('round-trips any float32 vector bit for bit', () => {
    fc.assert(
      fc.property(fc.float32Array({ maxLength: 64 }), (values) => {
        const back = decodeFloat32(encodeFloat32(values));
        expect(
          Buffer.from(back.buffer).equals(
            Buffer.from(values.buffer, values.byteOffset, values.byteLength),
          ),
        ).toBe(true);
        expect(weightsHash(back)).toBe(weightsHash(values));
      }),
    );
  });

  it('refuses non-canonical base64 and partial floats', () => {
    expect(() => decodeFloat32(encodeFloat32(Float32Array.from([1])) + '\n')).toThrow();
    expect(() => decodeFloat32(Buffer.from([1, 2, 3]).toString('base64'))).toThrow();
  });
});

describe('request signatures', () => {
  const keys = generateShopKeyPair();
  const parts = {
    method: 'POST',
    path: '/v1/rounds/1/update',
    shopId: 'shop_1',
    timestamp: 1_800_000_000_000,
    nonce: 'n'.repeat(24),
    body: '{"a":1}',
  };

  it('verifies only the exact request with the right key', () => {
    const signature = signRequest(keys.privateKey, parts);
    expect(verifyRequest(keys.publicKey, parts, signature)).toBe(true);
    for (const change of [
      { body: '{"a":2}' },
      { path: '/v1/rounds/2/update' },
      { shopId: 'shop_2' },
      { timestamp: parts.timestamp + 1 },
      { nonce: 'm'.repeat(24) },
      { method: 'GET' },
    ])
      expect(verifyRequest(keys.publicKey, { ...parts, ...change }, signature)).toBe(false);
    expect(verifyRequest(generateShopKeyPair().publicKey, parts, signature)).toBe(false);
    expect(verifyRequest('garbage', parts, signature)).toBe(false);
  });

  it('parses an Ed25519 key to the same key whatever path it takes, and no other kind', () => {
    for (let i = 0; i < 20; i++) {
      const { publicKey } = generateShopKeyPair();
      const parsed = publicKeyObject(publicKey);
      expect(parsed?.export({ type: 'spki', format: 'der' }).toString('base64')).toBe(publicKey);
    }
    const x25519 = generateKeyPairSync('x25519').publicKey.export({ type: 'spki', format: 'der' });
    expect(publicKeyObject(x25519.toString('base64'))).toBeNull();
    const p256 = generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey;
    expect(
      publicKeyObject(p256.export({ type: 'spki', format: 'der' }).toString('base64')),
    ).toBeNull();
    // The right header but a key one byte short is no key.
    expect(publicKeyObject(keys.publicKey.slice(0, -4) + 'AA==')).toBeNull();
  });

  it('recognises Ed25519 public keys only', () => {
    expect(isEd25519PublicKey(keys.publicKey)).toBe(true);
    expect(isEd25519PublicKey(keys.privateKey)).toBe(false);
    expect(isEd25519PublicKey('')).toBe(false);
  });
});
