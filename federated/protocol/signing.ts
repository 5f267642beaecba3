import {
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  sign,
  verify,
  type KeyObject,
} from 'node:crypto';
import { sha256Hex } from './weights.ts';

/**
 * Every shop request is signed with the shop's Ed25519 key over this canonical text, so a
 * captured request cannot be altered, replayed later (timestamp + nonce) or sent as another shop.
 */
export type SignedParts = {
  method: string;
  /** Path with query string, exactly as sent. */
  path: string;
  shopId: string;
  timestamp: number;
  nonce: string;
  /** The exact bytes sent (a JSON text, or a binary body). */
  body: string | Uint8Array;
};

export function canonicalRequest(parts: SignedParts): string {
  return [
    'BREADCAST-SIG-1',
    parts.method.toUpperCase(),
    parts.path,
    parts.shopId,
    String(parts.timestamp),
    parts.nonce,
    sha256Hex(parts.body),
  ].join('\n');
}

export type ShopKeyPair = { publicKey: string; privateKey: string };

/** Keys as base64 DER (SPKI / PKCS#8): storable as text in either database. */
export function generateShopKeyPair(): ShopKeyPair {
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  return {
    publicKey: publicKey.export({ type: 'spki', format: 'der' }).toString('base64'),
    privateKey: privateKey.export({ type: 'pkcs8', format: 'der' }).toString('base64'),
  };
}

/** A base64 PKCS#8 Ed25519 private key, imported (a client signing many requests keeps it). */
export function privateKeyObject(privateKey: string): KeyObject {
  return createPrivateKey({ key: Buffer.from(privateKey, 'base64'), format: 'der', type: 'pkcs8' });
}

export function signRequest(privateKey: string | KeyObject, parts: SignedParts): string {
  const key = typeof privateKey === 'string' ? privateKeyObject(privateKey) : privateKey;
  return sign(null, Buffer.from(canonicalRequest(parts)), key).toString('base64');
}

// Every Ed25519 SPKI DER key is this 12-byte header followed by the 32 key bytes.
const ed25519SpkiHeader = Buffer.from('302a300506032b6570032100', 'hex');

/** A base64 SPKI DER Ed25519 public key, parsed; null when it is not one. */
export function publicKeyObject(publicKey: string): KeyObject | null {
  try {
    const der = Buffer.from(publicKey, 'base64');
    // OpenSSL's DER decoder costs about three times the import of the same 32 bytes as a JWK;
    // anything but the one canonical layout still goes through the decoder.
    const key =
      der.length === 44 && der.subarray(0, 12).equals(ed25519SpkiHeader)
        ? createPublicKey({
            key: { kty: 'OKP', crv: 'Ed25519', x: der.subarray(12).toString('base64url') },
            format: 'jwk',
          })
        : createPublicKey({ key: der, format: 'der', type: 'spki' });
    return key.asymmetricKeyType === 'ed25519' ? key : null;
  } catch {
    return null;
  }
}

/** Whether `signature` (base64) is `key`'s Ed25519 signature of the canonical request text. */
export function verifyCanonical(key: KeyObject, canonical: string, signature: string): boolean {
  try {
    if (key.asymmetricKeyType !== 'ed25519') return false;
    return verify(null, Buffer.from(canonical), key, Buffer.from(signature, 'base64'));
  } catch {
    return false;
  }
}

/** The key as base64 SPKI DER or already parsed (a verifier of many requests parses it once). */
export function verifyRequest(
  publicKey: string | KeyObject,
  parts: SignedParts,
  signature: string,
): boolean {
  const key = typeof publicKey === 'string' ? publicKeyObject(publicKey) : publicKey;
  return key !== null && verifyCanonical(key, canonicalRequest(parts), signature);
}

/** True when the text is an Ed25519 public key in base64 SPKI DER. */
export function isEd25519PublicKey(publicKey: string): boolean {
  try {
    const key = createPublicKey({
      key: Buffer.from(publicKey, 'base64'),
      format: 'der',
      type: 'spki',
    });
    return key.asymmetricKeyType === 'ed25519';
  } catch {
    return false;
  }
}
