import { modelShape } from '../shape.ts';

/**
 * Where one dense layer's kernel ([inputs, units], row-major) and bias start in the flat weights.
 * The flat order is TF.js's `model.getWeights()` order (kernel, bias per layer), the layout the
 * coordinator merges and every bakery loads: the fused trainer reads and writes it directly.
 */
export type DenseLayer = {
  inputs: number;
  units: number;
  kernel: number;
  bias: number;
  relu: boolean;
};

export function denseLayers(
  shape: { inputFeatures: number; hiddenUnits: readonly number[]; outputs: number } = modelShape,
): DenseLayer[] {
  const layers: DenseLayer[] = [];
  let inputs = shape.inputFeatures;
  let offset = 0;
  const widths = [...shape.hiddenUnits, shape.outputs];
  widths.forEach((units, i) => {
    layers.push({
      inputs,
      units,
      kernel: offset,
      bias: offset + inputs * units,
      relu: i < widths.length - 1,
    });
    offset += inputs * units + units;
    inputs = units;
  });
  return layers;
}

export function weightCount(layers: readonly DenseLayer[]): number {
  const last = layers.at(-1)!;
  return last.bias + last.units;
}
