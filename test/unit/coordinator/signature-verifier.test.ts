import { describe, expect, it } from 'vitest';
import { SignatureVerifier } from '../../../coordinator/auth/signature-verifier.ts';
import {
  canonicalRequest,
  generateShopKeyPair,
  publicKeyObject,
  signRequest,
  type SignedParts,
} from '../../../federated/protocol/index.ts';

function signedBy(index: number) {
  const pair = generateShopKeyPair();
  const parts: SignedParts = {
    method: 'POST',
    path: `/v1/rounds/${index}/update`,
    shopId: `shop-${index}`,
    timestamp: 1_700_000_000_000 + index,
    nonce: `nonce-${index}-0123456789`,
    body: JSON.stringify({ index }),
  };
  return {
    key: publicKeyObject(pair.publicKey)!,
    message: canonicalRequest(parts),
    signature: signRequest(pair.privateKey, parts),
  };
}

describe('SignatureVerifier (Ed25519 checks on a worker thread)', () => {
  it('accepts every genuine signature of a burst and refuses a tampered message, a signature by another key and garbage', async () => {
    const verifier = new SignatureVerifier();
    try {
      const genuine = Array.from({ length: 40 }, (_, i) => signedBy(i));
      const [a, b] = genuine;
      const forged = [
        { ...a!, message: a!.message.replace('POST', 'PUT') },
        { ...a!, key: b!.key },
        { ...a!, signature: 'not a signature' },
        { ...a!, signature: '' },
      ];
      // One turn: all of them travel to the thread together.
      const results = await Promise.all([...genuine, ...forged].map((c) => verifier.verify(c)));
      expect(results).toEqual([...genuine.map(() => true), false, false, false, false]);
      // The same keys again, in a later batch: the thread kept them.
      expect(await verifier.verify(genuine[7]!)).toBe(true);
      expect(await verifier.verify({ ...genuine[7]!, key: genuine[8]!.key })).toBe(false);
    } finally {
      await verifier.close();
    }
  });

  it('checks on the calling thread, with the same answers, once its own thread is gone', async () => {
    const verifier = new SignatureVerifier();
    const check = signedBy(1);
    expect(await verifier.verify(check)).toBe(true);
    await verifier.close();
    expect(await verifier.verify(check)).toBe(true);
    expect(await verifier.verify({ ...check, message: `${check.message}x` })).toBe(false);
  });
});
