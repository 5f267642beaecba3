/**
 * Arithmetic in Z_{2^k} (k ≤ 32) on uint32 words, and the fixed-point code that maps clipped,
 * noised float updates into the ring with headroom for the sum.
 *
 * Bound (why the scale is what it is): each value is clamped to [-maxAbs, maxAbs] and encoded as
 * q = round(x·scale), so |q| ≤ maxAbs·scale + ½. With
 *     scale = ((2^(k-1) - 1) / maxSummands - 1) / maxAbs
 * any sum of at most maxSummands encodings satisfies |Σq| < 2^(k-1) - 1, so reading the ring
 * element back as a signed k-bit integer recovers Σq exactly (no wrap-around). Decoding error:
 * at most 1/(2·scale) per value, hence at most m/(2·scale) for a sum of m values.
 * Example: k = 32, maxSummands = 1000, maxAbs = 8 → scale ≈ 268 435, i.e. a resolution of
 * about 3.7e-6 per coordinate, well below float32 training noise.
 */
import { SecAggError } from './bytes.ts';
import { forEachKeystreamPiece, keystream } from './primitives.ts';

export type FixedPoint = {
  modulusBits: number;
  maxAbs: number;
  maxSummands: number;
  scale: number;
};

export function ringMask(modulusBits: number): number {
  if (!Number.isInteger(modulusBits) || modulusBits < 8 || modulusBits > 32)
    throw new SecAggError('malformed', 'modulusBits must be a whole number from 8 to 32');
  return modulusBits === 32 ? 0xffffffff : 2 ** modulusBits - 1;
}

export function fixedPoint(options: {
  modulusBits: number;
  maxAbs: number;
  maxSummands: number;
}): FixedPoint {
  const { modulusBits, maxAbs, maxSummands } = options;
  ringMask(modulusBits);
  if (!(maxAbs > 0) || !Number.isFinite(maxAbs))
    throw new SecAggError('malformed', 'maxAbs must be a positive number');
  if (!Number.isInteger(maxSummands) || maxSummands < 1)
    throw new SecAggError('malformed', 'maxSummands must be a positive whole number');
  const perSummand = (2 ** (modulusBits - 1) - 1) / maxSummands - 1;
  if (perSummand < 1)
    throw new SecAggError('malformed', `a ${modulusBits}-bit ring has no room for the sum`);
  return { modulusBits, maxAbs, maxSummands, scale: perSummand / maxAbs };
}

/** Encodes one update. `clamped` counts values outside ±maxAbs (they are clamped, not wrapped). */
export function encodeFixedPoint(
  values: ArrayLike<number>,
  code: FixedPoint,
): { encoded: Uint32Array; clamped: number } {
  const mask = ringMask(code.modulusBits);
  const encoded = new Uint32Array(values.length);
  let clamped = 0;
  for (let i = 0; i < values.length; i++) {
    let x = values[i]!;
    if (!Number.isFinite(x)) throw new SecAggError('malformed', `value ${i} is not finite`);
    if (x > code.maxAbs || x < -code.maxAbs) {
      clamped++;
      x = Math.sign(x) * code.maxAbs;
    }
    // Symmetric rounding, so encode(-x) = -encode(x) and the error is unbiased in sign.
    const q = Math.sign(x) * Math.round(Math.abs(x) * code.scale);
    encoded[i] = (q & mask) >>> 0;
  }
  return { encoded, clamped };
}

/** Reads a ring element back as a signed integer and rescales; valid for sums within the bound. */
export function decodeFixedPoint(sum: Uint32Array, code: FixedPoint): Float64Array {
  const modulus = 2 ** code.modulusBits;
  const half = modulus / 2;
  const out = new Float64Array(sum.length);
  for (let i = 0; i < sum.length; i++) {
    const v = sum[i]!;
    out[i] = (v >= half ? v - modulus : v) / code.scale;
  }
  return out;
}

export function ringAddInPlace(target: Uint32Array, other: Uint32Array, modulusBits: number): void {
  const mask = ringMask(modulusBits);
  for (let i = 0; i < target.length; i++) target[i] = ((target[i]! + other[i]!) & mask) >>> 0;
}

export function ringSubInPlace(target: Uint32Array, other: Uint32Array, modulusBits: number): void {
  const mask = ringMask(modulusBits);
  for (let i = 0; i < target.length; i++) target[i] = ((target[i]! - other[i]!) & mask) >>> 0;
}

/**
 * The seeded mask PRG: AES-256-CTR keystream read as uint32 words, reduced to k bits. Because
 * 2^k divides 2^32 the reduction keeps every word exactly uniform.
 */
export function maskVector(key: Uint8Array, length: number, modulusBits: number): Uint32Array {
  const mask = ringMask(modulusBits);
  const bytes = keystream(key, length * 4);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out = new Uint32Array(length);
  for (let i = 0; i < length; i++) out[i] = (view.getUint32(i * 4, true) & mask) >>> 0;
  return out;
}

/**
 * target ± maskVector(key) in place, without materialising the mask: the keystream is added
 * piece by piece (same words as maskVector, so either side may use either form).
 */
export function addMaskInPlace(
  target: Uint32Array,
  key: Uint8Array,
  modulusBits: number,
  sign: 1 | -1,
): void {
  const mask = ringMask(modulusBits);
  forEachKeystreamPiece(key, target.length * 4, (piece, at) => {
    const start = at / 4;
    const count = piece.length / 4;
    const aligned = piece.byteOffset % 4 === 0;
    const words = aligned
      ? new Uint32Array(piece.buffer, piece.byteOffset, count)
      : new Uint32Array(Uint8Array.from(piece).buffer);
    if (!littleEndianHost) for (let i = 0; i < count; i++) words[i] = swap(words[i]!);
    if (sign === 1)
      for (let i = 0; i < count; i++)
        target[start + i] = ((target[start + i]! + (words[i]! & mask)) & mask) >>> 0;
    else
      for (let i = 0; i < count; i++)
        target[start + i] = ((target[start + i]! - (words[i]! & mask)) & mask) >>> 0;
  });
}

const littleEndianHost = new Uint8Array(Uint32Array.of(1).buffer)[0] === 1;
const swap = (w: number) =>
  (((w & 0xff) << 24) | ((w & 0xff00) << 8) | ((w >>> 8) & 0xff00) | (w >>> 24)) >>> 0;
