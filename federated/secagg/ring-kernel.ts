/**
 * The one hot loop of a round — adding a keystream piece into a vector word by word mod 2^k —
 * as a WebAssembly SIMD kernel: four words per instruction, no bounds checks. A shop adds 255
 * keystreams of 100,000 words per round (25 million words); in JavaScript that loop cost as much
 * CPU as the AES that produced the keystream. Both the vector and the piece live in the kernel's
 * memory while a batch of masks is applied, so the vector is copied in and out once per batch.
 * Where WebAssembly SIMD is missing (or the host is big-endian, which WebAssembly's little-endian
 * loads would misread) callers fall back to the JavaScript loop; both give the same words (tested).
 *
 * Assembled in-process with the trainer's WebAssembly encoder; each function is
 *   for (i = 0; i < bytes; i += 16)
 *     v128[target + i] = (v128[target + i] ± v128[piece + i]) & splat(mask)   (i32x4 lanes)
 */
import {
  FunctionBuilder,
  encodeModule,
  forRange,
  i32,
  local,
  type,
  unsignedLeb,
  v128,
  type Code,
} from '../model/fused/wasm/encoder.ts';

/** [target, target + bytes) ±= [piece, piece + bytes) & mask; bytes a multiple of 16. */
type Kernel = (target: number, piece: number, bytes: number, mask: number) => void;

export type RingKernel = { memory: WebAssembly.Memory; add: Kernel; sub: Kernel };

// The three SIMD instructions the encoder does not carry (0xfd-prefixed opcodes).
const simd = (opcode: number, ...operands: Code[]): Code => [
  ...operands.flat(),
  0xfd,
  ...unsignedLeb(opcode),
];
const i32x4Splat = (value: Code) => simd(0x11, value);
const v128And = (a: Code, b: Code) => simd(0x4e, a, b);
const I32X4_ADD = 0xae;
const I32X4_SUB = 0xb1;

function ringFunction(name: string, operation: number) {
  const f = new FunctionBuilder();
  const [target, piece, bytes, mask] = [type.i32, type.i32, type.i32, type.i32].map((t) =>
    f.param(t),
  ) as [number, number, number, number];
  const i = f.local(type.i32);
  const m = f.local(type.v128);
  const at = (base: number) => i32.add(local.get(base), local.get(i));
  const body = [
    ...local.set(m, i32x4Splat(local.get(mask))),
    ...forRange(
      i,
      i32.const(0),
      local.get(bytes),
      16,
      v128.store(
        at(target),
        v128And(simd(operation, v128.load(at(target)), v128.load(at(piece))), local.get(m)),
      ),
    ),
  ];
  return { name, ...f.encode(body) };
}

const MODULE = encodeModule([ringFunction('add', I32X4_ADD), ringFunction('sub', I32X4_SUB)], 1);

const littleEndianHost = new Uint8Array(Uint32Array.of(1).buffer)[0] === 1;

let kernel: RingKernel | null | undefined;

/** The SIMD kernel, or null where this runtime cannot run it (then use the JavaScript loop). */
export function ringKernel(): RingKernel | null {
  if (kernel !== undefined) return kernel;
  kernel = null;
  if (!littleEndianHost || typeof WebAssembly !== 'object' || !WebAssembly.validate(MODULE))
    return kernel;
  const { exports } = new WebAssembly.Instance(new WebAssembly.Module(MODULE));
  kernel = {
    memory: exports.memory as WebAssembly.Memory,
    add: exports.add as Kernel,
    sub: exports.sub as Kernel,
  };
  return kernel;
}

/** Grows the kernel's memory to hold `bytes` (memory is kept for the next batch, never shrunk). */
export function reserve(k: RingKernel, bytes: number): void {
  const have = k.memory.buffer.byteLength;
  if (bytes > have) k.memory.grow(Math.ceil((bytes - have) / 65_536));
}
