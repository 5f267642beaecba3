/**
 * Arithmetic in Z_{2^k} (k ≤ 32) on uint32 words and the mask PRG. What goes into the ring (the
 * integer grid, its headroom for n summands, the noise) is federated/privacy/plan.ts.
 */
import { SecAggError } from './bytes.ts';
import { forEachKeystreamPiece, keystream } from './primitives.ts';

export function ringMask(modulusBits: number): number {
  if (!Number.isInteger(modulusBits) || modulusBits < 8 || modulusBits > 32)
    throw new SecAggError('malformed', 'modulusBits must be a whole number from 8 to 32');
  return modulusBits === 32 ? 0xffffffff : 2 ** modulusBits - 1;
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
