/**
 * A small WebAssembly binary encoder: enough of the instruction set (i32, f32, SIMD f32x4,
 * loads and stores, structured loops) to assemble the fused kernels in-process from TypeScript.
 * Code is built as expression trees: each helper emits its operands, then its opcode, so a nested
 * call reads like the computation and leaves exactly one value on the stack.
 */

export type Code = readonly number[];

export const type = { i32: 0x7f, f32: 0x7d, v128: 0x7b } as const;
export type ValueType = (typeof type)[keyof typeof type];

export function unsignedLeb(value: number): number[] {
  const bytes: number[] = [];
  let v = value >>> 0;
  do {
    let byte = v & 0x7f;
    v >>>= 7;
    if (v !== 0) byte |= 0x80;
    bytes.push(byte);
  } while (v !== 0);
  return bytes;
}

export function signedLeb(value: number): number[] {
  const bytes: number[] = [];
  let v = value | 0;
  for (;;) {
    const byte = v & 0x7f;
    v >>= 7;
    const done = (v === 0 && (byte & 0x40) === 0) || (v === -1 && (byte & 0x40) !== 0);
    bytes.push(done ? byte : byte | 0x80);
    if (done) return bytes;
  }
}

const cat = (...parts: Code[]): number[] => parts.flat();
const simd = (opcode: number): number[] => [0xfd, ...unsignedLeb(opcode)];
/** Memory immediates: alignment (log2 bytes) and a constant byte offset added to the address. */
const memarg = (align: number, offset: number) => [align, ...unsignedLeb(offset)];

export const local = {
  get: (index: number): Code => [0x20, ...unsignedLeb(index)],
  set: (index: number, value: Code): Code => cat(value, [0x21, ...unsignedLeb(index)]),
};

export const i32 = {
  const: (value: number): Code => [0x41, ...signedLeb(value)],
  load: (address: Code, offset = 0): Code => cat(address, [0x28, ...memarg(2, offset)]),
  load8u: (address: Code, offset = 0): Code => cat(address, [0x2d, ...memarg(0, offset)]),
  add: (a: Code, b: Code): Code => cat(a, b, [0x6a]),
  mul: (a: Code, b: Code): Code => cat(a, b, [0x6c]),
  geS: (a: Code, b: Code): Code => cat(a, b, [0x4e]),
};

export const f32 = {
  const: (value: number): Code => {
    const bytes = new Uint8Array(new Float32Array([value]).buffer);
    return [0x43, ...bytes];
  },
  load: (address: Code, offset = 0): Code => cat(address, [0x2a, ...memarg(2, offset)]),
  store: (address: Code, value: Code, offset = 0): Code =>
    cat(address, value, [0x38, ...memarg(2, offset)]),
  add: (a: Code, b: Code): Code => cat(a, b, [0x92]),
  ne: (a: Code, b: Code): Code => cat(a, b, [0x5c]),
};

export const v128 = {
  load: (address: Code, offset = 0): Code => cat(address, simd(0x00), memarg(4, offset)),
  store: (address: Code, value: Code, offset = 0): Code =>
    cat(address, value, simd(0x0b), memarg(4, offset)),
};

export const f32x4 = {
  splat: (value: Code): Code => cat(value, simd(0x13)),
  extractLane: (vector: Code, lane: number): Code => cat(vector, simd(0x1f), [lane]),
  add: (a: Code, b: Code): Code => cat(a, b, simd(0xe4)),
  sub: (a: Code, b: Code): Code => cat(a, b, simd(0xe5)),
  mul: (a: Code, b: Code): Code => cat(a, b, simd(0xe6)),
  div: (a: Code, b: Code): Code => cat(a, b, simd(0xe7)),
  max: (a: Code, b: Code): Code => cat(a, b, simd(0xe9)),
  sqrt: (a: Code): Code => cat(a, simd(0xe3)),
};

/** `condition ? a : b` without a branch (both are evaluated). */
export const select = (a: Code, b: Code, condition: Code): Code => cat(a, b, condition, [0x1b]);

/** Statements in order (each leaves the stack as it found it). */
export const seq = (...statements: Code[]): Code => cat(...statements);

/** `if (condition) { body }` */
export const when = (condition: Code, body: Code): Code =>
  cat(condition, [0x04, 0x40], body, [0x0b]);

/**
 * `for (i = from; i < to; i += step) body` over an i32 local; `to` is evaluated every pass.
 * The body must not branch out of the loop (it has no labels to name).
 */
export function forRange(i: number, from: Code, to: Code, step: number, body: Code): Code {
  return cat(
    local.set(i, from),
    [0x02, 0x40, 0x03, 0x40], // block, loop
    i32.geS(local.get(i), to),
    [0x0d, 1], // br_if to the block's end
    body,
    local.set(i, i32.add(local.get(i), i32.const(step))),
    [0x0c, 0, 0x0b, 0x0b], // br to the loop's start; end loop; end block
  );
}

/** A function under construction: parameters first, then locals, each with its index. */
export class FunctionBuilder {
  private readonly params: ValueType[] = [];
  private readonly locals: ValueType[] = [];
  private sealed = false;

  param(t: ValueType): number {
    if (this.sealed) throw new Error('parameters come before locals');
    this.params.push(t);
    return this.params.length - 1;
  }

  local(t: ValueType): number {
    this.sealed = true;
    this.locals.push(t);
    return this.params.length + this.locals.length - 1;
  }

  encode(body: Code): { params: ValueType[]; body: number[] } {
    // Locals are declared in runs of one type: (count, type) pairs.
    const runs: [number, ValueType][] = [];
    for (const t of this.locals) {
      const last = runs.at(-1);
      if (last && last[1] === t) last[0]++;
      else runs.push([1, t]);
    }
    const content = cat(
      unsignedLeb(runs.length),
      ...runs.map(([count, t]) => [...unsignedLeb(count), t]),
      body,
      [0x0b],
    );
    return { params: [...this.params], body: [...unsignedLeb(content.length), ...content] };
  }
}

export type ExportedFunction = { name: string; params: ValueType[]; body: number[] };

const section = (id: number, content: Code): number[] => [
  id,
  ...unsignedLeb(content.length),
  ...content,
];
const vector = (items: Code[]): number[] => cat(unsignedLeb(items.length), ...items);
const name = (text: string): number[] => {
  const bytes = [...new TextEncoder().encode(text)];
  return [...unsignedLeb(bytes.length), ...bytes];
};

/** A module with its own memory (exported as "memory") and functions without results. */
export function encodeModule(
  functions: ExportedFunction[],
  memoryPages: number,
): Uint8Array<ArrayBuffer> {
  const types = functions.map((f) => [0x60, ...vector(f.params.map((p) => [p])), 0]);
  const bytes = cat(
    [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00],
    section(1, vector(types)),
    section(3, vector(functions.map((_, i) => unsignedLeb(i)))),
    section(5, vector([[0x00, ...unsignedLeb(memoryPages)]])),
    section(
      7,
      vector([
        [...name('memory'), 0x02, 0],
        ...functions.map((f, i) => [...name(f.name), 0x00, ...unsignedLeb(i)]),
      ]),
    ),
    section(10, vector(functions.map((f) => f.body))),
  );
  return Uint8Array.from(bytes);
}
