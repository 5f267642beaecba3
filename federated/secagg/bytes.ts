/**
 * Byte helpers for SecAgg state. Every state object must survive JSON (SQLite rows, the wire),
 * so bytes travel as base64 strings and ring vectors as little-endian uint32 words.
 */

export function toBase64(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');
}

export function fromBase64(text: string, expectedLength?: number): Uint8Array {
  // Node's decoder silently skips junk; re-encoding catches a corrupted or truncated field.
  const bytes = new Uint8Array(Buffer.from(text, 'base64'));
  if (toBase64(bytes) !== text) throw new SecAggError('malformed', 'not canonical base64');
  if (expectedLength !== undefined && bytes.length !== expectedLength)
    throw new SecAggError('malformed', `expected ${expectedLength} bytes, got ${bytes.length}`);
  return bytes;
}

const littleEndian = new Uint8Array(Uint32Array.of(1).buffer)[0] === 1;

/** Ring vectors are stored as uint32 words, little-endian regardless of the host. */
export function wordsToBytes(words: Uint32Array): Uint8Array {
  if (littleEndian) return new Uint8Array(words.buffer, words.byteOffset, words.byteLength);
  const bytes = new Uint8Array(words.length * 4);
  const view = new DataView(bytes.buffer);
  words.forEach((w, i) => view.setUint32(i * 4, w, true));
  return bytes;
}

export function wordsFromBytes(bytes: Uint8Array, length: number): Uint32Array {
  if (bytes.length !== length * 4)
    throw new SecAggError('malformed', `expected ${length * 4} bytes, got ${bytes.length}`);
  const words = new Uint32Array(length);
  if (littleEndian) new Uint8Array(words.buffer).set(bytes);
  else {
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    for (let i = 0; i < length; i++) words[i] = view.getUint32(i * 4, true);
  }
  return words;
}

export function wordsToBase64(words: Uint32Array): string {
  return toBase64(wordsToBytes(words));
}

export function wordsFromBase64(text: string, length: number): Uint32Array {
  return wordsFromBytes(fromBase64(text, length * 4), length);
}

export function concatBytes(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

const encoder = new TextEncoder();

export function utf8(text: string): Uint8Array {
  return encoder.encode(text);
}

/**
 * Why a shop refuses a round (the coordinator or a peer broke the protocol, or the round is not
 * what the bakery accepts). Stable codes: the app words them and reports them to the coordinator.
 */
export const SECAGG_REFUSALS = [
  'roster-too-small',
  'roster-too-large',
  'roster-forged',
  'roster-duplicate',
  'own-advert-altered',
  'no-safe-graph',
  'threshold-below-policy',
  'colluders-below-policy',
  'share-keys-forged',
  'split-roster',
  'survivors-changed',
  'survivors-invalid',
  'survivors-too-sparse',
  'confirmations-insufficient',
  'disclosure-conflict',
] as const;
export type SecAggRefusalCode = (typeof SECAGG_REFUSALS)[number];

export type SecAggErrorCode =
  | 'malformed'
  | 'bad-signature'
  | 'wrong-phase'
  | 'conflict'
  | 'below-threshold'
  | 'unknown-shop'
  | 'decrypt-failed'
  | 'reconstruction-failed'
  | 'refused'
  | 'crypto-unavailable'
  | 'report-unfounded'
  | SecAggRefusalCode;

export function isRefusal(code: SecAggErrorCode): code is SecAggRefusalCode {
  return (SECAGG_REFUSALS as readonly string[]).includes(code);
}

/** A refusal with a stable code, so the coordinator can map it to an HTTP answer. */
export class SecAggError extends Error {
  constructor(
    readonly code: SecAggErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'SecAggError';
  }
}
