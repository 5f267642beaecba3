import { adamSettings } from '../adam.ts';
import type { DenseLayer } from '../layout.ts';
import {
  encodeModule,
  f32,
  f32x4,
  FunctionBuilder,
  forRange,
  i32,
  local,
  select,
  seq,
  type,
  v128,
  when,
  type Code,
  type ExportedFunction,
} from './encoder.ts';

/**
 * The dense layers' forward pass, backward pass and Adam step as WebAssembly SIMD, generated for
 * one network shape. Inside the module every layer's units are padded to a multiple of four
 * (one f32x4 per four units) and padded weights stay zero; the head and loss (a few
 * transcendental functions per row) stay in JavaScript between `forward` and `backward`.
 *
 * Memory (byte offsets in `MemoryLayout`): weights W, gradient G, Adam moments M and V in the
 * padded layout, one batch of inputs X, every layer's activations for the batch, the head's
 * gradient for the batch (dRaw), one row of back-propagated deltas per hidden layer, the batch's
 * row numbers and hidden-weather flags; from `data` on, the training samples' feature rows (the
 * memory grows to hold them), which `gather` copies into X.
 */

export type PaddedLayer = DenseLayer & {
  /** Units rounded up to a multiple of four, and that many / 4 vectors. */
  padded: number;
  vectors: number;
  /** Float offsets of the padded kernel ([inputs, padded]) and bias within W. */
  kernelAt: number;
  biasAt: number;
};

export type MemoryLayout = {
  layers: PaddedLayer[];
  /** Floats of W (and of G, M, V). */
  paddedWeights: number;
  maxRows: number;
  inputs: number;
  /** Floats per feature row in X and in the data, rounded up to whole vectors. */
  inputStride: number;
  w: number;
  g: number;
  m: number;
  v: number;
  x: number;
  /** Per layer: activations of the batch, `padded` floats per row. */
  acts: number[];
  dRaw: number;
  /** Per layer: one row's delta (d loss / d pre-activation), `padded` floats. */
  deltas: number[];
  /** The batch's row numbers (i32) and weather flags (one byte per row, 1 = hidden). */
  rowNumbers: number;
  hiddenFlags: number;
  /** Where the samples' feature rows start: everything before is fixed. */
  data: number;
};

const floatBytes = 4;
const vectorBytes = 16;

export function memoryLayout(layers: readonly DenseLayer[], maxRows: number): MemoryLayout {
  let weights = 0;
  const padded = layers.map((l) => {
    const p = Math.ceil(l.units / 4) * 4;
    const layer = {
      ...l,
      padded: p,
      vectors: p / 4,
      kernelAt: weights,
      biasAt: weights + l.inputs * p,
    };
    weights += l.inputs * p + p;
    return layer;
  });
  let at = 0;
  const take = (floats: number) => {
    const start = at;
    at += Math.ceil(floats / 4) * vectorBytes;
    return start;
  };
  const inputs = layers[0]!.inputs;
  const inputStride = Math.ceil(inputs / 4) * 4;
  return {
    layers: padded,
    paddedWeights: weights,
    maxRows,
    inputs,
    inputStride,
    w: take(weights),
    g: take(weights),
    m: take(weights),
    v: take(weights),
    x: take(maxRows * inputStride),
    acts: padded.map((l) => take(maxRows * l.padded)),
    dRaw: take(maxRows * padded.at(-1)!.padded),
    deltas: padded.map((l) => take(l.padded)),
    rowNumbers: take(maxRows),
    hiddenFlags: take(maxRows / 4),
    data: at,
  };
}

const address = (bytes: number): Code => i32.const(bytes);
const zero = f32.const(0);

/** The locals both passes use, and one v128 per four units of the widest layer. */
function rowPassLocals(fn: FunctionBuilder, layout: MemoryLayout) {
  const rows = fn.param(type.i32);
  return {
    rows,
    row: fn.local(type.i32),
    input: fn.local(type.i32),
    inputRow: fn.local(type.i32),
    kernelRow: fn.local(type.i32),
    value: fn.local(type.f32),
    splat: fn.local(type.v128),
    scratch: fn.local(type.v128),
    vectors: Array.from({ length: Math.max(...layout.layers.map((l) => l.vectors)) }, () =>
      fn.local(type.v128),
    ),
  };
}
type Locals = ReturnType<typeof rowPassLocals>;

/**
 * For each input i of layer l in the current row: `value` = input i, `kernelRow` = the address of
 * kernel row i (its `padded` weights), then `body`.
 */
function overInputs(layout: MemoryLayout, l: number, $: Locals, body: Code): Code {
  const layer = layout.layers[l]!;
  const stride = (l === 0 ? layout.inputStride : layout.layers[l - 1]!.padded) * floatBytes;
  const base = l === 0 ? layout.x : layout.acts[l - 1]!;
  const rowBytes = layer.padded * floatBytes;
  return seq(
    local.set($.inputRow, i32.add(address(base), i32.mul(local.get($.row), i32.const(stride)))),
    local.set($.kernelRow, address(layout.w + layer.kernelAt * floatBytes)),
    forRange(
      $.input,
      i32.const(0),
      i32.const(layer.inputs),
      1,
      seq(
        local.set(
          $.value,
          f32.load(
            i32.add(local.get($.inputRow), i32.mul(local.get($.input), i32.const(floatBytes))),
          ),
        ),
        body,
        local.set($.kernelRow, i32.add(local.get($.kernelRow), i32.const(rowBytes))),
      ),
    ),
  );
}

/**
 * Most feature inputs are zero (one-hot columns), so layer 0 skips their kernel rows; hidden
 * inputs are zero at random (inactive relus), where a mispredicted branch would cost more than
 * the few multiplies it saves, so hidden layers run without one.
 */
const skippingZeros = (l: number, body: Code, $: Locals): Code =>
  l === 0 ? when(f32.ne(local.get($.value), zero), body) : body;

/**
 * gather(rows): X row i = data row rowNumbers[i], with the weather hidden where hiddenFlags[i].
 */
function gather(
  layout: MemoryLayout,
  hidden: readonly { column: number; value: number }[],
): ExportedFunction {
  const fn = new FunctionBuilder();
  const rows = fn.param(type.i32);
  const i = fn.local(type.i32);
  const from = fn.local(type.i32);
  const to = fn.local(type.i32);
  const rowBytes = layout.inputStride * floatBytes;
  const body = forRange(
    i,
    i32.const(0),
    local.get(rows),
    1,
    seq(
      local.set(
        from,
        i32.add(
          address(layout.data),
          i32.mul(
            i32.load(i32.add(address(layout.rowNumbers), i32.mul(local.get(i), i32.const(4)))),
            i32.const(rowBytes),
          ),
        ),
      ),
      local.set(to, i32.add(address(layout.x), i32.mul(local.get(i), i32.const(rowBytes)))),
      ...Array.from({ length: layout.inputStride / 4 }, (_, k) =>
        v128.store(local.get(to), v128.load(local.get(from), vectorBytes * k), vectorBytes * k),
      ),
      when(
        i32.load8u(i32.add(address(layout.hiddenFlags), local.get(i))),
        seq(
          ...hidden.map(({ column, value }) =>
            f32.store(local.get(to), f32.const(value), column * floatBytes),
          ),
        ),
      ),
    ),
  );
  return { name: 'gather', ...fn.encode(body) };
}

/** forward(rows): activations of every layer for the first `rows` inputs in X. */
function forward(layout: MemoryLayout): ExportedFunction {
  const fn = new FunctionBuilder();
  const $ = rowPassLocals(fn, layout);
  const outputRow = fn.local(type.i32);
  const layerCode = layout.layers.map((layer, l) => {
    const acc = $.vectors.slice(0, layer.vectors);
    const rowBytes = layer.padded * floatBytes;
    const bias = address(layout.w + layer.biasAt * floatBytes);
    const accumulate = seq(
      local.set($.splat, f32x4.splat(local.get($.value))),
      ...acc.map((v, k) =>
        local.set(
          v,
          f32x4.add(
            local.get(v),
            f32x4.mul(local.get($.splat), v128.load(local.get($.kernelRow), vectorBytes * k)),
          ),
        ),
      ),
    );
    const relu = (v: number) =>
      layer.relu ? f32x4.max(local.get(v), f32x4.splat(zero)) : local.get(v);
    return seq(
      ...acc.map((v, k) => local.set(v, v128.load(bias, vectorBytes * k))),
      overInputs(layout, l, $, skippingZeros(l, accumulate, $)),
      local.set(
        outputRow,
        i32.add(address(layout.acts[l]!), i32.mul(local.get($.row), i32.const(rowBytes))),
      ),
      ...acc.map((v, k) => v128.store(local.get(outputRow), relu(v), vectorBytes * k)),
    );
  });
  const body = forRange($.row, i32.const(0), local.get($.rows), 1, seq(...layerCode));
  return { name: 'forward', ...fn.encode(body) };
}

/**
 * backward(rows): G += Σ over rows of d loss / d weights (the caller zeroes G), given the head's
 * gradient in dRaw and the activations `forward` left. A relu passes a delta only where its
 * output was positive.
 */
function backward(layout: MemoryLayout): ExportedFunction {
  const fn = new FunctionBuilder();
  const $ = rowPassLocals(fn, layout);
  const toGradient = layout.g - layout.w; // G mirrors W: the same address plus a constant offset
  const top = layout.layers.length - 1;
  const layerCode = layout.layers.map((layer, l) => {
    const delta = $.vectors.slice(0, layer.vectors);
    const rowBytes = layer.padded * floatBytes;
    const deltaRow =
      l === top
        ? i32.add(address(layout.dRaw), i32.mul(local.get($.row), i32.const(rowBytes)))
        : address(layout.deltas[l]!);
    const bias = address(layout.w + layer.biasAt * floatBytes);
    const addToGradient = (at: Code, k: number, value: Code) =>
      v128.store(
        at,
        f32x4.add(v128.load(at, toGradient + vectorBytes * k), value),
        toGradient + vectorBytes * k,
      );
    const kernelGradient = seq(
      local.set($.splat, f32x4.splat(local.get($.value))),
      ...delta.map((v, k) =>
        addToGradient(local.get($.kernelRow), k, f32x4.mul(local.get($.splat), local.get(v))),
      ),
    );
    // d loss / d input i = Σⱼ W[i, j]·δⱼ, passed on only through an active relu (output > 0).
    const sum = (v: Code) =>
      f32.add(
        f32.add(f32x4.extractLane(v, 0), f32x4.extractLane(v, 1)),
        f32.add(f32x4.extractLane(v, 2), f32x4.extractLane(v, 3)),
      );
    const passDown =
      l === 0
        ? []
        : seq(
            local.set(
              $.scratch,
              f32x4.mul(v128.load(local.get($.kernelRow)), local.get(delta[0]!)),
            ),
            ...delta
              .slice(1)
              .map((v, k) =>
                local.set(
                  $.scratch,
                  f32x4.add(
                    local.get($.scratch),
                    f32x4.mul(
                      v128.load(local.get($.kernelRow), vectorBytes * (k + 1)),
                      local.get(v),
                    ),
                  ),
                ),
              ),
            f32.store(
              i32.add(
                address(layout.deltas[l - 1]!),
                i32.mul(local.get($.input), i32.const(floatBytes)),
              ),
              select(sum(local.get($.scratch)), zero, f32.ne(local.get($.value), zero)),
            ),
          );
    return seq(
      ...delta.map((v, k) => local.set(v, v128.load(deltaRow, vectorBytes * k))),
      ...delta.map((v, k) => addToGradient(bias, k, local.get(v))),
      overInputs(layout, l, $, seq(skippingZeros(l, kernelGradient, $), passDown)),
    );
  });
  const body = forRange($.row, i32.const(0), local.get($.rows), 1, seq(...layerCode.reverse()));
  return { name: 'backward', ...fn.encode(body) };
}

/**
 * adam(learningRate, 1 − β₁ᵗ, 1 − β₂ᵗ): TF.js's update in its operation order, over all of W:
 * w ← w − (m̂ / (√v̂ + ε)) · lr with m̂ = m / (1 − β₁ᵗ), v̂ = v / (1 − β₂ᵗ) (TF.js adds
 * (…) · (−lr), which rounds the same).
 */
function adam(layout: MemoryLayout): ExportedFunction {
  const { beta1, beta2, epsilon } = adamSettings;
  const fn = new FunctionBuilder();
  const learningRate = fn.param(type.f32);
  const correction1 = fn.param(type.f32);
  const correction2 = fn.param(type.f32);
  const p = fn.local(type.i32);
  const g = fn.local(type.v128);
  const m = fn.local(type.v128);
  const v = fn.local(type.v128);
  const constant = (value: number) => f32x4.splat(f32.const(value));
  const at = (region: number) => region - layout.w;
  const body = forRange(
    p,
    address(layout.w),
    address(layout.w + layout.paddedWeights * floatBytes),
    vectorBytes,
    seq(
      local.set(g, v128.load(local.get(p), at(layout.g))),
      local.set(
        m,
        f32x4.add(
          f32x4.mul(v128.load(local.get(p), at(layout.m)), constant(beta1)),
          f32x4.mul(local.get(g), constant(1 - beta1)),
        ),
      ),
      local.set(
        v,
        f32x4.add(
          f32x4.mul(v128.load(local.get(p), at(layout.v)), constant(beta2)),
          f32x4.mul(f32x4.mul(local.get(g), local.get(g)), constant(1 - beta2)),
        ),
      ),
      v128.store(local.get(p), local.get(m), at(layout.m)),
      v128.store(local.get(p), local.get(v), at(layout.v)),
      v128.store(
        local.get(p),
        f32x4.sub(
          v128.load(local.get(p)),
          f32x4.mul(
            f32x4.div(
              f32x4.div(local.get(m), f32x4.splat(local.get(correction1))),
              f32x4.add(
                f32x4.sqrt(f32x4.div(local.get(v), f32x4.splat(local.get(correction2)))),
                constant(epsilon),
              ),
            ),
            f32x4.splat(local.get(learningRate)),
          ),
        ),
      ),
    ),
  );
  return { name: 'adam', ...fn.encode(body) };
}

/**
 * The module's bytes: memory for `layout` (no samples yet), and the exports gather, forward,
 * backward and adam. `hidden` says what gather writes into a row whose weather is hidden.
 */
export function assembleKernels(
  layout: MemoryLayout,
  hidden: readonly { column: number; value: number }[],
): Uint8Array<ArrayBuffer> {
  return encodeModule(
    [gather(layout, hidden), forward(layout), backward(layout), adam(layout)],
    Math.ceil(layout.data / 65536),
  );
}
