/**
 * The one hot loop of a round — adding a keystream piece into a vector word by word mod 2^k —
 * as a WebAssembly SIMD kernel: four words per instruction, no bounds checks. A shop adds 255
 * keystreams of 100,000 words per round (25 million words); in JavaScript that loop cost as much
 * CPU as the AES that produced the keystream. Both the vector and the piece live in the kernel's
 * memory while a batch of masks is applied, so the vector is copied in and out once per batch.
 * Where WebAssembly SIMD is missing (or the host is big-endian, which WebAssembly's little-endian
 * loads would misread) callers fall back to the JavaScript loop; both give the same words (tested).
 *
 * The module, hand-assembled below, is this (WAT):
 *   (module
 *     (memory (export "memory") 1)
 *     ;; words at [target, target + bytes) ±= words at [piece, ...), then & mask, 16 bytes a step
 *     (func (export "add") (param $target i32) (param $piece i32) (param $bytes i32) (param $mask i32)
 *       (local $end i32) (local $m v128)
 *       (local.set $end (i32.add (local.get $target) (local.get $bytes)))
 *       (local.set $m (i32x4.splat (local.get $mask)))
 *       (block (loop
 *         (br_if 1 (i32.ge_u (local.get $target) (local.get $end)))
 *         (v128.store (local.get $target)
 *           (v128.and (i32x4.add (v128.load (local.get $target)) (v128.load (local.get $piece)))
 *                     (local.get $m)))
 *         (local.set $target (i32.add (local.get $target) (i32.const 16)))
 *         (local.set $piece (i32.add (local.get $piece) (i32.const 16)))
 *         (br 0))))
 *     (func (export "sub") ...the same with i32x4.sub...))
 */

/** [target, target + bytes) ±= [piece, piece + bytes) & mask; bytes a multiple of 16. */
type Kernel = (target: number, piece: number, bytes: number, mask: number) => void;

export type RingKernel = { memory: WebAssembly.Memory; add: Kernel; sub: Kernel };

const section = (id: number, content: number[]) => [id, ...uleb(content.length), ...content];

function uleb(value: number): number[] {
  const out: number[] = [];
  let v = value;
  do {
    const byte = v & 0x7f;
    v >>>= 7;
    out.push(v ? byte | 0x80 : byte);
  } while (v);
  return out;
}

const name = (text: string) => [text.length, ...Array.from(text, (c) => c.charCodeAt(0))];

// Opcodes (WebAssembly core 2.0 and its fixed-width SIMD proposal, 0xfd-prefixed).
const LOCAL_GET = 0x20;
const LOCAL_SET = 0x21;
const I32_CONST = 0x41;
const I32_ADD = 0x6a;
const I32_GE_U = 0x4f;
const BLOCK = 0x02;
const LOOP = 0x03;
const VOID = 0x40;
const BR = 0x0c;
const BR_IF = 0x0d;
const END = 0x0b;
const SIMD = 0xfd;
const V128_LOAD = [SIMD, 0x00, 4, 0]; // memarg: 16-byte alignment hint, offset 0
const V128_STORE = [SIMD, 0x0b, 4, 0];
const V128_AND = [SIMD, 0x4e];
const I32X4_SPLAT = [SIMD, 0x11];
const I32X4_ADD = [SIMD, ...uleb(0xae)];
const I32X4_SUB = [SIMD, ...uleb(0xb1)];

function body(operation: number[]): number[] {
  const [target, piece, bytes, mask, end, m] = [0, 1, 2, 3, 4, 5];
  const code = [
    ...[2, 1, 0x7f, 1, 0x7b], // locals: one i32 ($end), one v128 ($m)
    ...[LOCAL_GET, target, LOCAL_GET, bytes, I32_ADD, LOCAL_SET, end],
    ...[LOCAL_GET, mask, ...I32X4_SPLAT, LOCAL_SET, m],
    ...[BLOCK, VOID, LOOP, VOID],
    ...[LOCAL_GET, target, LOCAL_GET, end, I32_GE_U, BR_IF, 1],
    ...[LOCAL_GET, target],
    ...[LOCAL_GET, target, ...V128_LOAD, LOCAL_GET, piece, ...V128_LOAD, ...operation],
    ...[LOCAL_GET, m, ...V128_AND, ...V128_STORE],
    ...[LOCAL_GET, target, I32_CONST, 16, I32_ADD, LOCAL_SET, target],
    ...[LOCAL_GET, piece, I32_CONST, 16, I32_ADD, LOCAL_SET, piece],
    ...[BR, 0, END, END, END],
  ];
  return [...uleb(code.length), ...code];
}

const MODULE = new Uint8Array([
  ...[0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00],
  ...section(1, [1, 0x60, 4, 0x7f, 0x7f, 0x7f, 0x7f, 0]), // type 0: (i32 i32 i32 i32) → ()
  ...section(3, [2, 0, 0]), // two functions of type 0
  ...section(5, [1, 0, 1]), // one memory, at least one page
  ...section(7, [3, ...name('memory'), 2, 0, ...name('add'), 0, 0, ...name('sub'), 0, 1]),
  ...section(10, [2, ...body(I32X4_ADD), ...body(I32X4_SUB)]),
]);

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
