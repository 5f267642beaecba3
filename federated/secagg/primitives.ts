/**
 * The only cryptographic building blocks SecAgg uses, all from node:crypto (OpenSSL in Node,
 * BoringSSL in Electron): Ed25519, X25519, HKDF-SHA256, AES-256-GCM and AES-CTR.
 * Nothing here invents a primitive; this file only fixes key sizes, encodings and labels.
 */
import {
  createCipheriv,
  createDecipheriv,
  createHash,
  createHmac,
  createPrivateKey,
  createPublicKey,
  diffieHellman,
  generateKeyPairSync,
  getCiphers,
  randomBytes,
  sign,
  verify,
  type JsonWebKey,
  type KeyObject,
} from 'node:crypto';
import { SecAggError, concatBytes, fromBase64, toBase64, utf8 } from './bytes.ts';

/**
 * Domain-separation prefix for every label, signature and derived key of this protocol version.
 * v3: masks expand with AES-128-CTR (v2: AES-256-CTR); the new prefix makes a round mixing the two
 * fail at the first signature instead of summing masks that do not cancel.
 */
export const PROTOCOL = 'breadcast/secagg/v4';

let probed = false;

/**
 * Fails loudly at start if the runtime lacks a primitive we rely on. Electron's BoringSSL has
 * no ChaCha20, which is why masks use AES-CTR; this guards against the next surprise.
 */
export function assertCryptoAvailable(): void {
  if (probed) return;
  const ciphers = new Set(getCiphers());
  for (const name of ['aes-256-gcm', 'aes-256-ctr', 'aes-128-ctr']) {
    if (!ciphers.has(name))
      throw new SecAggError('crypto-unavailable', `this runtime's crypto lacks ${name}`);
  }
  try {
    const a = generateX25519();
    const b = generateX25519();
    const ab = agree(a.secretKey, b.publicKey);
    const ba = agree(b.secretKey, a.publicKey);
    if (toBase64(ab) !== toBase64(ba)) throw new Error('X25519 agreement mismatch');
    const id = generateEd25519();
    const sig = signEd25519(id.secretKey, utf8('probe'));
    if (!verifyEd25519(id.publicKey, utf8('probe'), sig)) throw new Error('Ed25519 mismatch');
    hkdf(ab, utf8('salt'), 'probe', 32);
  } catch (error) {
    throw new SecAggError('crypto-unavailable', `crypto probe failed: ${String(error)}`);
  }
  probed = true;
}

export type RawKeyPair = { publicKey: string; secretKey: string };

function rawFromJwk(key: KeyObject, field: 'x' | 'd'): string {
  const jwk = key.export({ format: 'jwk' });
  const value = jwk[field];
  if (typeof value !== 'string') throw new SecAggError('malformed', 'key export failed');
  return toBase64(new Uint8Array(Buffer.from(value, 'base64url')));
}

/**
 * A fresh key pair as raw bytes. The keys are exported inside the generation job, never from the
 * KeyObjects it returns: Node 20 deadlocks when a JWK export of a generated key triggers a garbage
 * collection that finalises the job holding that key (main thread blocked on the key's mutex in
 * ~KeyGenJob, seen after some thousand generations). Inside the job JWK is the cheap encoding:
 * about 40 µs a pair against 160 µs for SPKI/PKCS#8 DER, and a shop draws 255 pairs a round.
 */
function keyPair(type: 'x25519' | 'ed25519'): RawKeyPair {
  // @types/node types the JWK encoding for RSA/EC only; Node returns JsonWebKey objects for OKP too.
  const { publicKey, privateKey } = generateKeyPairSync(
    type as 'x25519',
    {
      publicKeyEncoding: { format: 'jwk' },
      privateKeyEncoding: { format: 'jwk' },
    } as object,
  ) as unknown as { publicKey: JsonWebKey; privateKey: JsonWebKey };
  const raw = (field: string | undefined) => {
    if (typeof field !== 'string') throw new SecAggError('malformed', 'key generation failed');
    return Buffer.from(field, 'base64url').toString('base64');
  };
  return { publicKey: raw(publicKey.x), secretKey: raw(privateKey.d) };
}

export const generateX25519 = (): RawKeyPair => keyPair('x25519');
export const generateEd25519 = (): RawKeyPair => keyPair('ed25519');

// Raw 32-byte keys wrapped in their fixed DER headers (RFC 8410), which every OpenSSL and
// BoringSSL build accepts. DER import is slow in OpenSSL 3 (about ten times a JWK import), so keys
// whose public half is known are imported as JWK and DER is kept for secrets alone.
const DER = {
  X25519: { pkcs8: '302e020100300506032b656e04220420', spki: '302a300506032b656e032100' },
  Ed25519: { pkcs8: '302e020100300506032b657004220420', spki: '302a300506032b6570032100' },
} as const;

type Curve = 'X25519' | 'Ed25519';
const url = (raw: string) => Buffer.from(raw, 'base64').toString('base64url');

/**
 * The keys one party has imported. Importing a key costs more than using it, and a round uses the
 * same keys many times: the roster's identity keys for its lines, the share records and the
 * confirmations; the neighbours' mask keys at upload and at unmasking; the party's own secrets in
 * every step. The process has one ring (the coordinator's, and any caller that names none); a shop
 * uses one per round for the life of its process (withKeyRing), so its later steps reuse what its
 * earlier steps imported — and a simulation of many shops in one process charges each shop its
 * own imports, never another shop's. One-time keys (a share key's secret, the sender key) are
 * used once and never kept.
 */
export class KeyRing {
  readonly publicKeys = new Map<string, KeyObject>();
  /** The last few private keys used: the party's identity and mask key. */
  readonly privateKeys = new Map<string, KeyObject>();
}

let ring = new KeyRing();

/** Runs `work` (synchronously) with `keys` as the ring every key import goes through. */
export function withKeyRing<T>(keys: KeyRing, work: () => T): T {
  const outer = ring;
  ring = keys;
  try {
    return work();
  } finally {
    ring = outer;
  }
}

function privateKeyObject(
  crv: Curve,
  secretKey: string,
  publicKey?: string,
  keep = true,
): KeyObject {
  const id = `${crv}:${secretKey}`;
  const known = keep ? ring.privateKeys.get(id) : undefined;
  if (known) return known;
  fromBase64(secretKey, 32);
  const key = publicKey
    ? createPrivateKey({
        key: { kty: 'OKP', crv, d: url(secretKey), x: url(publicKey) },
        format: 'jwk',
      })
    : createPrivateKey({
        key: Buffer.concat([Buffer.from(DER[crv].pkcs8, 'hex'), fromBase64(secretKey, 32)]),
        format: 'der',
        type: 'pkcs8',
      });
  if (!keep) return key;
  const kept = ring.privateKeys;
  if (kept.size >= 8) kept.delete(kept.keys().next().value!);
  kept.set(id, key);
  return key;
}

function publicKeyObject(crv: Curve, publicKey: string, keep = true): KeyObject {
  const id = `${crv}:${publicKey}`;
  const kept = ring.publicKeys;
  let key = keep ? kept.get(id) : undefined;
  if (!key) {
    fromBase64(publicKey, 32);
    key = createPublicKey({ key: { kty: 'OKP', crv, x: url(publicKey) }, format: 'jwk' });
    if (!keep) return key;
    if (kept.size > 100_000) kept.clear();
    kept.set(id, key);
  }
  return key;
}

/** Public key of a raw X25519 secret (slow: DER import); prefer isX25519Pair to check a claim. */
export function x25519PublicOf(secretKey: string): string {
  return rawFromJwk(createPublicKey(privateKeyObject('X25519', secretKey)), 'x');
}

/** Whether `secretKey` is the secret of `publicKey` (a revealed or rebuilt key against its advert). */
export function isX25519Pair(secretKey: string, publicKey: string): boolean {
  try {
    const key = createPrivateKey({
      key: { kty: 'OKP', crv: 'X25519', d: url(secretKey), x: url(publicKey) },
      format: 'jwk',
    });
    return (
      rawFromJwk(createPublicKey(key), 'x') === publicKey && fromBase64(secretKey, 32).length === 32
    );
  } catch {
    return false;
  }
}

export function ed25519PublicOf(secretKey: string): string {
  return rawFromJwk(createPublicKey(privateKeyObject('Ed25519', secretKey)), 'x');
}

function checkedSecret(shared: Buffer): Uint8Array {
  const out = new Uint8Array(shared);
  if (out.every((b) => b === 0)) throw new SecAggError('malformed', 'low-order X25519 key');
  return out;
}

/**
 * X25519 shared secret; an all-zero result means a low-order public key and is refused.
 * `ownPublicKey`, when known, makes the import of `secretKey` cheap. `once`: both keys are used
 * for this agreement only (a share key's secret against a sender's key), so neither is kept.
 */
export function agree(
  secretKey: string,
  peerPublicKey: string,
  ownPublicKey?: string,
  once = false,
): Uint8Array {
  return checkedSecret(
    diffieHellman({
      privateKey: privateKeyObject('X25519', secretKey, ownPublicKey, !once),
      publicKey: publicKeyObject('X25519', peerPublicKey, !once),
    }),
  );
}

/**
 * A sender's agreements with many recipients' keys from one secret of its own (its sender key,
 * imported once here and used for these agreements only). The recipients' keys differ, so each
 * agreement is theirs alone; none of them is kept (each is used once).
 */
export function agreementsWith(
  secretKey: string,
  ownPublicKey: string,
  peerPublicKeys: string[],
): Uint8Array[] {
  const privateKey = privateKeyObject('X25519', secretKey, ownPublicKey, false);
  return peerPublicKeys.map((peer) =>
    checkedSecret(diffieHellman({ privateKey, publicKey: publicKeyObject('X25519', peer, false) })),
  );
}

export function signEd25519(secretKey: string, message: Uint8Array): string {
  return toBase64(new Uint8Array(sign(null, message, privateKeyObject('Ed25519', secretKey))));
}

export function verifyEd25519(publicKey: string, message: Uint8Array, signature: string): boolean {
  try {
    return verify(null, message, publicKeyObject('Ed25519', publicKey), fromBase64(signature, 64));
  } catch {
    return false;
  }
}

/**
 * HKDF-SHA256 (RFC 5869) written out as its HMACs: extract, then one expand block per 32 bytes.
 * The output is hkdfSync's byte for byte (tested); hkdfSync spends twice as long on argument
 * checks and key objects, and a shop derives about 800 keys a round.
 */
export function hkdf(ikm: Uint8Array, salt: Uint8Array, label: string, length: number): Uint8Array {
  if (!Number.isInteger(length) || length < 1 || length > 255 * 32)
    throw new SecAggError('malformed', 'HKDF output length out of range');
  const prk = createHmac('sha256', salt).update(ikm).digest();
  const info = utf8(`${PROTOCOL}/${label}`);
  const out = new Uint8Array(length);
  let block: Uint8Array = new Uint8Array(0);
  for (let i = 1, at = 0; at < length; i++, at += 32) {
    block = createHmac('sha256', prk).update(block).update(info).update(Uint8Array.of(i)).digest();
    out.set(block.subarray(0, Math.min(32, length - at)), at);
  }
  return out;
}

export function sha256(...parts: Uint8Array[]): Uint8Array {
  const hash = createHash('sha256');
  for (const part of parts) hash.update(part);
  return new Uint8Array(hash.digest());
}

// Small random values (share nonces, seeds, cipher nonces) are cut from one CSPRNG draw: a shop
// needs about 800 of them per round, and each randomBytes call costs more than 32 bytes of output.
let pool = new Uint8Array(0);
let poolAt = 0;

/** `length` fresh bytes from the CSPRNG (a copy: nothing is handed out twice). */
export function randomBytesFromPool(length: number): Uint8Array {
  if (length > 1024) return new Uint8Array(randomBytes(length));
  if (poolAt + length > pool.length) {
    pool = new Uint8Array(randomBytes(16_384));
    poolAt = 0;
  }
  const out = pool.slice(poolAt, poolAt + length);
  pool.fill(0, poolAt, poolAt + length);
  poolAt += length;
  return out;
}

export function randomSecret(): Uint8Array {
  return randomBytesFromPool(32);
}

/** AES-256-GCM; a fresh random 96-bit nonce per message, prepended to the ciphertext. */
export function seal(key: Uint8Array, plaintext: Uint8Array, associated: Uint8Array): string {
  const nonce = randomBytesFromPool(12);
  const cipher = createCipheriv('aes-256-gcm', key, nonce);
  cipher.setAAD(associated);
  const body = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return toBase64(concatBytes(nonce, body, cipher.getAuthTag()));
}

export function open(key: Uint8Array, sealed: string, associated: Uint8Array): Uint8Array {
  const bytes = fromBase64(sealed);
  if (bytes.length < 28) throw new SecAggError('decrypt-failed', 'ciphertext too short');
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, bytes.subarray(0, 12));
    decipher.setAAD(associated);
    decipher.setAuthTag(bytes.subarray(bytes.length - 16));
    return new Uint8Array(
      Buffer.concat([decipher.update(bytes.subarray(12, bytes.length - 16)), decipher.final()]),
    );
  } catch {
    throw new SecAggError('decrypt-failed', 'share ciphertext failed authentication');
  }
}

type CtrCipher = 'aes-128-ctr' | 'aes-256-ctr';

/**
 * CTR keystream handed out in 64 kB pieces: encrypting a 400 kB vector in one call costs more
 * CPU than in pieces that stay in cache. `stream` selects a disjoint part of it (the counter
 * block starts at stream · 2^64), so one key can feed several streams.
 */
function forEachCtrPiece(
  cipherName: CtrCipher,
  key: Uint8Array,
  byteLength: number,
  visit: (piece: Uint8Array, offset: number) => void,
  stream: number,
): void {
  const iv = Buffer.alloc(16);
  iv.writeUInt32BE(stream, 4);
  const cipher = createCipheriv(cipherName, key, iv);
  for (let at = 0; at < byteLength; at += KEYSTREAM_PIECE) {
    visit(cipher.update(ZEROS.subarray(0, Math.min(KEYSTREAM_PIECE, byteLength - at))), at);
  }
}

/**
 * The mask PRG: AES-128-CTR keystream under the first 128 bits of a 256-bit mask key (a 128-bit
 * PRG seed, as in Bonawitz et al. and Flower; ten AES rounds where AES-256 takes fourteen, on the
 * 101 MB of keystream a shop of a 500-shop round expands). Each mask key is derived for one
 * purpose in one round, so a (key, counter) pair is never reused.
 */
export function forEachMaskPiece(
  key: Uint8Array,
  byteLength: number,
  visit: (piece: Uint8Array, offset: number) => void,
): void {
  if (key.length !== 32) throw new SecAggError('malformed', 'mask key must be 256 bits');
  forEachCtrPiece('aes-128-ctr', key.subarray(0, 16), byteLength, visit, 0);
}

/** The mask PRG's bytes in one array (tests; the ring adds the pieces as they come). */
export function maskKeystream(key: Uint8Array, byteLength: number): Uint8Array {
  const out = new Uint8Array(byteLength);
  forEachMaskPiece(key, byteLength, (piece, at) => out.set(piece, at));
  return out;
}

/** AES-256-CTR keystream under a 256-bit seed (the SecAgg+ graph's seeded integers). */
export function keystream(key: Uint8Array, byteLength: number, stream = 0): Uint8Array {
  if (key.length !== 32) throw new SecAggError('malformed', 'PRG key must be 256 bits');
  const out = new Uint8Array(byteLength);
  forEachCtrPiece('aes-256-ctr', key, byteLength, (piece, at) => out.set(piece, at), stream);
  return out;
}
/** Bytes of keystream handed out at a time (the last piece may be shorter). */
export const KEYSTREAM_PIECE = 65_536;
const ZEROS = Buffer.alloc(KEYSTREAM_PIECE);

/**
 * The shops' long-term identities are stored as base64 DER (SPKI public, PKCS#8 private) by the
 * enrolment code; SecAgg signs and verifies with the raw 32-byte keys inside them.
 */
export function ed25519RawFromSpki(spki: string): string {
  const key = createPublicKey({ key: Buffer.from(spki, 'base64'), format: 'der', type: 'spki' });
  if (key.asymmetricKeyType !== 'ed25519') throw new SecAggError('malformed', 'not an Ed25519 key');
  return rawFromJwk(key, 'x');
}

export function ed25519RawFromPkcs8(pkcs8: string): string {
  const key = createPrivateKey({ key: Buffer.from(pkcs8, 'base64'), format: 'der', type: 'pkcs8' });
  if (key.asymmetricKeyType !== 'ed25519') throw new SecAggError('malformed', 'not an Ed25519 key');
  return rawFromJwk(key, 'd');
}
