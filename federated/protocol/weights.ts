import { createHash } from 'node:crypto';

/**
 * Weights and updates travel as base64 of little-endian float32 values: compact, exact, and
 * the same bytes on every machine, so both sides can hash them.
 */
export function encodeFloat32(values: Float32Array): string {
  return bytesOfFloat32(values).toString('base64');
}

export function bytesOfFloat32(values: Float32Array): Buffer {
  const buffer = Buffer.alloc(values.length * 4);
  for (let i = 0; i < values.length; i++) buffer.writeFloatLE(values[i]!, i * 4);
  return buffer;
}

const littleEndian = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

export function float32FromBytes(bytes: Uint8Array): Float32Array {
  if (bytes.length % 4 !== 0)
    throw new RangeError('weight bytes are not a whole number of float32');
  // On a little-endian machine (all that Node runs on in practice) the bytes are the array:
  // one copy instead of a DataView read per value, which cost the upload path more than its hash.
  if (littleEndian)
    return new Float32Array(
      bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength),
    );
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out = new Float32Array(bytes.length / 4);
  for (let i = 0; i < out.length; i++) out[i] = view.getFloat32(i * 4, true);
  return out;
}

/** Strict: rejects anything that is not canonical base64 so two encodings cannot hash apart. */
export function decodeFloat32(base64: string): Float32Array {
  const bytes = Buffer.from(base64, 'base64');
  if (bytes.toString('base64') !== base64) throw new RangeError('not canonical base64');
  return float32FromBytes(bytes);
}

export function sha256Hex(data: Uint8Array | string): string {
  return createHash('sha256').update(data).digest('hex');
}

/** The content hash a model version is published under. */
export function weightsHash(values: Float32Array): string {
  return sha256Hex(bytesOfFloat32(values));
}
