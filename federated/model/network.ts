import * as tf from '@tensorflow/tfjs';
import { modelShape, parameterCount } from './shape.ts';

export { modelShape, parameterCount };

/** softplus⁻¹(0.25): the initial gap between neighbouring quantiles (relative to the level). */
const initialGap = Math.log(Math.expm1(0.25));

/**
 * Raw network: inputs → 32 → 16 → 5 unconstrained outputs. `toQuantiles` turns them into
 * non-crossing quantiles, so the constraint holds for any weights (including averaged ones).
 */
export function createModel(seed = 1): tf.Sequential {
  const model = tf.sequential();
  modelShape.hiddenUnits.forEach((units, i) => {
    model.add(
      tf.layers.dense({
        units,
        activation: 'relu',
        kernelInitializer: tf.initializers.heNormal({ seed: seed * 7 + i }),
        biasInitializer: 'zeros',
        ...(i === 0 ? { inputShape: [modelShape.inputFeatures] } : {}),
      }),
    );
  });
  model.add(
    tf.layers.dense({
      units: modelShape.outputs,
      kernelInitializer: tf.initializers.glorotUniform({ seed: seed * 7 + 5 }),
      // Start near "demand = level, band ±25%" so training refines rather than discovers scale.
      biasInitializer: tf.initializers.constant({ value: initialGap }),
    }),
  );
  const last = model.layers.at(-1)!;
  const [kernel, bias] = last.getWeights() as [tf.Tensor, tf.Tensor];
  const b = bias.dataSync().slice();
  b[0] = 0.5;
  last.setWeights([kernel, tf.tensor1d(b)]);
  return model;
}

/** First output is the lowest quantile; the rest add softplus steps, so they never cross. */
export function toQuantiles(raw: tf.Tensor2D): tf.Tensor2D {
  return tf.tidy(() => {
    const first = raw.slice([0, 0], [-1, 1]);
    const steps = tf.softplus(raw.slice([0, 1], [-1, modelShape.outputs - 1]));
    return tf.cumsum(tf.concat([first, steps], 1), 1) as tf.Tensor2D;
  });
}

export function getFlatWeights(model: tf.LayersModel): Float32Array {
  const flat = new Float32Array(parameterCount());
  let offset = 0;
  for (const w of model.getWeights()) {
    const values = w.dataSync();
    flat.set(values, offset);
    offset += values.length;
  }
  return flat;
}

export function setFlatWeights(model: tf.LayersModel, flat: Float32Array): void {
  if (flat.length !== parameterCount())
    throw new Error(`expected ${parameterCount()} weights, got ${flat.length}`);
  let offset = 0;
  const tensors = model.getWeights().map((w) => {
    const size = w.size;
    const t = tf.tensor(flat.subarray(offset, offset + size), w.shape);
    offset += size;
    return t;
  });
  model.setWeights(tensors);
  tensors.forEach((t) => t.dispose());
}
