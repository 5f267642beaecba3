/**
 * Arithmetic in Z_{2^k} (k ≤ 32) on uint32 words and the mask PRG. What goes into the ring (the
 * integer grid, its headroom for n summands, the noise) is federated/privacy/plan.ts.
 */
import { SecAggError } from './bytes.ts';
import { keystream } from './primitives.ts';

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
