/**
 * Arithmetic in Z_{2^k} (k ≤ 32) on uint32 words and the mask PRG. What goes into the ring (the
 * integer grid, its headroom for n summands, the noise) is federated/privacy/plan.ts.
 */
import { SecAggError } from './bytes.ts';
import { KEYSTREAM_PIECE, forEachMaskPiece } from './primitives.ts';
import { reserve, ringKernel } from './ring-kernel.ts';

export function ringMask(modulusBits: number): number {
  if (!Number.isInteger(modulusBits) || modulusBits < 8 || modulusBits > 32)
    throw new SecAggError('malformed', 'modulusBits must be a whole number from 8 to 32');
  return modulusBits === 32 ? 0xffffffff : 2 ** modulusBits - 1;
}

/**
 * The ring operations run on Int32Array views of the same words: V8 keeps int32 lanes in
 * registers, while a Uint32Array read above 2^31 becomes a heap double. Two's-complement addition
 * and `& mask` (−1 for k = 32) give the same bits as the unsigned arithmetic mod 2^k.
 */
const signedView = (words: Uint32Array) =>
  new Int32Array(words.buffer, words.byteOffset, words.length);
const signedMask = (modulusBits: number) => ringMask(modulusBits) | 0;

export function ringAddInPlace(target: Uint32Array, other: Uint32Array, modulusBits: number): void {
  addSigned(signedView(target), signedView(other), signedMask(modulusBits), target.length);
}

export function ringSubInPlace(target: Uint32Array, other: Uint32Array, modulusBits: number): void {
  subSigned(signedView(target), signedView(other), signedMask(modulusBits), target.length);
}

function addSigned(t: Int32Array, o: Int32Array, mask: number, count: number, at = 0): void {
  for (let i = 0; i < count; i++) t[at + i] = (t[at + i]! + o[i]!) & mask;
}

function subSigned(t: Int32Array, o: Int32Array, mask: number, count: number, at = 0): void {
  for (let i = 0; i < count; i++) t[at + i] = (t[at + i]! - o[i]!) & mask;
}

/**
 * The seeded mask PRG: AES-128-CTR keystream (primitives.ts) read as uint32 words, reduced to k bits. Because
 * 2^k divides 2^32 the reduction keeps every word exactly uniform.
 */
export function maskVector(key: Uint8Array, length: number, modulusBits: number): Uint32Array {
  const out = new Uint32Array(length);
  addMaskInPlace(out, key, modulusBits, 1);
  return out;
}

/** One keystream to add (+1) or remove (−1). */
export type MaskTerm = { key: Uint8Array; sign: 1 | -1 };

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
  addMasksInPlace(target, [{ key, sign }], modulusBits);
}

/**
 * target ± every mask in turn. With the SIMD kernel the vector is copied into the kernel's memory
 * once, each keystream piece is copied next to it and added there, and the vector is copied back;
 * the kernel's memory is zeroed afterwards (it held the input and mask material).
 * `simd: false` runs the JavaScript loop (the fallback, and the tests' reference).
 */
export function addMasksInPlace(
  target: Uint32Array,
  masks: MaskTerm[],
  modulusBits: number,
  options: { simd?: boolean } = {},
): void {
  const mask = signedMask(modulusBits);
  const kernel = options.simd === false ? null : ringKernel();
  if (!kernel) {
    for (const { key, sign } of masks) addMaskWithLoop(signedView(target), key, mask, sign);
    return;
  }
  const bytes = target.length * 4;
  const pieceAt = (bytes + 15) & ~15;
  reserve(kernel, pieceAt + KEYSTREAM_PIECE);
  const memory = new Uint8Array(kernel.memory.buffer, 0, pieceAt + KEYSTREAM_PIECE);
  const words = new Int32Array(kernel.memory.buffer, 0, memory.length / 4);
  memory.set(new Uint8Array(target.buffer, target.byteOffset, bytes));
  try {
    for (const { key, sign } of masks) {
      const run = sign === 1 ? kernel.add : kernel.sub;
      forEachMaskPiece(key, bytes, (piece, at) => {
        memory.set(piece, pieceAt);
        const whole = piece.length & ~15;
        run(at, pieceAt, whole, mask);
        // The last piece may end in up to three words the 16-byte steps leave out.
        for (let b = whole; b < piece.length; b += 4) {
          const t = (at + b) / 4;
          const o = words[(pieceAt + b) / 4]!;
          words[t] = (sign === 1 ? words[t]! + o : words[t]! - o) & mask;
        }
      });
    }
    new Uint8Array(target.buffer, target.byteOffset, bytes).set(memory.subarray(0, bytes));
  } finally {
    memory.fill(0);
  }
}

function addMaskWithLoop(t: Int32Array, key: Uint8Array, mask: number, sign: 1 | -1): void {
  forEachMaskPiece(key, t.length * 4, (piece, at) => {
    const count = piece.length / 4;
    const words =
      piece.byteOffset % 4 === 0
        ? new Int32Array(piece.buffer, piece.byteOffset, count)
        : new Int32Array(Uint8Array.from(piece).buffer);
    if (!littleEndianHost) for (let i = 0; i < count; i++) words[i] = swap(words[i]!) | 0;
    // Either sign's loop is monomorphic; the keystream words are reduced by the same & mask.
    if (sign === 1) addSigned(t, words, mask, count, at / 4);
    else subSigned(t, words, mask, count, at / 4);
  });
}

const littleEndianHost = new Uint8Array(Uint32Array.of(1).buffer)[0] === 1;
const swap = (w: number) =>
  (((w & 0xff) << 24) | ((w & 0xff00) << 8) | ((w >>> 8) & 0xff00) | (w >>> 24)) >>> 0;
