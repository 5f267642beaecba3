/**
 * Shamir sharing of 32-byte secrets over GF(2^8) with the AES polynomial x^8 + x^4 + x^3 + x + 1,
 * in the share layout of the audited `shamir-secret-sharing` library (32 bytes, then the
 * x-coordinate). Split and combine are re-implemented with log/exp tables because the library
 * evaluates byte by byte through checked helpers — 32·n·t calls, 90 ms for a 253-share split at
 * t = 114, on every shop of every round. Both are property-tested against the library: its
 * combine rebuilds our splits, ours rebuilds its splits, and t − 1 shares are uniformly
 * distributed whatever the secret. Each share carries a hiding commitment so a wrong share
 * offered at unmasking is recognised and another holder's share is used instead.
 */
import { randomBytes } from 'node:crypto';
import { SecAggError, concatBytes, fromBase64, toBase64, utf8 } from './bytes.ts';
import { PROTOCOL, randomSecret, sha256 } from './primitives.ts';

/** A 32-byte secret's share: 32 bytes plus its x-coordinate (the library's layout). */
export const SHARE_BYTES = 33;

/** One split has at most 255 shares (GF(2^8) has 255 non-zero x-coordinates). */
export const MAX_SHAMIR_SHARES = 255;

// GF(2^8) with the library's field: generator 0xe5 modulo x^8 + x^4 + x^3 + x + 1.
const EXP = new Uint8Array(510);
const LOG = new Uint8Array(256);
{
  const times = (a: number, b: number) => {
    let product = 0;
    for (let i = 0; i < 8; i++) {
      if (b & (1 << i)) product ^= a << i;
    }
    for (let bit = 15; bit >= 8; bit--) if (product & (1 << bit)) product ^= 0x11b << (bit - 8);
    return product;
  };
  let x = 1;
  for (let i = 0; i < 255; i++) {
    EXP[i] = x;
    EXP[i + 255] = x;
    LOG[x] = i;
    x = times(x, 0xe5);
  }
}
const mul = (a: number, b: number) => (a === 0 || b === 0 ? 0 : EXP[LOG[a]! + LOG[b]!]!);
const div = (a: number, b: number) => (a === 0 ? 0 : EXP[LOG[a]! + 255 - LOG[b]!]!);

// Every product in the field, row x at x · 256: a split's Horner step is then one lookup in the
// row of its x-coordinate (32·n·(t − 1) steps a split, 0.93 million at n = 255, t = 115).
const PRODUCTS = new Uint8Array(256 * 256);
for (let x = 1; x < 256; x++) for (let y = 1; y < 256; y++) PRODUCTS[x * 256 + y] = mul(x, y);

/**
 * t-of-n shares of a secret, base64, share i for holder i at x = i + 1: a fresh random polynomial
 * of degree t − 1 per byte whose constant term is that byte.
 */
export function shamirSplit(secret: Uint8Array, n: number, t: number): string[] {
  if (!Number.isInteger(n) || !Number.isInteger(t) || n > MAX_SHAMIR_SHARES || t < 2 || t > n)
    throw new SecAggError('malformed', `cannot split ${t}-of-${n}`);
  const length = secret.length;
  const coefficients = randomBytes(length * (t - 1));
  const out: string[] = [];
  const share = new Uint8Array(length + 1);
  for (let i = 0; i < n; i++) {
    const row = PRODUCTS.subarray((i + 1) * 256, (i + 2) * 256);
    for (let byte = 0; byte < length; byte++) {
      const top = byte * (t - 1);
      // Horner from the highest coefficient down to the secret byte.
      let y = coefficients[top + t - 2]!;
      for (let d = t - 3; d >= 0; d--) y = row[y]! ^ coefficients[top + d]!;
      share[byte] = row[y]! ^ secret[byte]!;
    }
    share[length] = i + 1;
    out.push(toBase64(share));
  }
  share.fill(0);
  coefficients.fill(0);
  return out;
}

/**
 * Rebuilds a secret from exactly the shares given (all of one split). Any t of them suffice; more
 * interpolate the same polynomial. Below threshold the result is garbage, so callers check it
 * against a commitment.
 */
export function shamirCombine(shares: string[]): Uint8Array {
  if (shares.length < 2) throw new SecAggError('below-threshold', 'at least 2 shares are needed');
  const bytes = shares.map((s) => fromBase64(s, SHARE_BYTES));
  const xs = bytes.map((b) => b[SHARE_BYTES - 1]!);
  if (new Set(xs).size !== xs.length || xs.includes(0))
    throw new SecAggError('malformed', 'duplicate or zero share coordinates');
  const weights = xs.map((xi, i) => {
    let w = 1;
    xs.forEach((xj, j) => {
      if (j !== i) w = mul(w, div(xj, xi ^ xj));
    });
    return w;
  });
  const secret = new Uint8Array(SHARE_BYTES - 1);
  for (let byte = 0; byte < secret.length; byte++) {
    let value = 0;
    for (let i = 0; i < bytes.length; i++) value ^= mul(bytes[i]![byte]!, weights[i]!);
    secret[byte] = value;
  }
  return secret;
}

export type SecretKind = 'self-mask' | 'mask-key';

/** A share together with the nonce that opens its commitment (what a holder reveals). */
export type ShareOpening = { share: string; nonce: string };

export function newOpening(share: string): ShareOpening {
  return { share, nonce: toBase64(randomSecret()) };
}

/**
 * Hiding, binding commitment to one share held by `holder` of `owner`'s secret of `kind`: the
 * 256-bit nonce hides the share, SHA-256 binds it. Published by the owner inside its signed share
 * message; the holder reveals share and nonce at unmasking.
 */
export function shareCommitment(
  digest: string,
  kind: SecretKind,
  owner: string,
  holder: string,
  opening: ShareOpening,
): string {
  return toBase64(
    sha256(
      utf8(JSON.stringify([`${PROTOCOL}/share-commit`, digest, kind, owner, holder])),
      concatBytes(fromBase64(opening.nonce, 32), fromBase64(opening.share, SHARE_BYTES)),
    ),
  );
}
