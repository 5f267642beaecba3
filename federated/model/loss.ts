import * as tf from '@tensorflow/tfjs';
import { quantileLevels } from '../features/spec.ts';

/**
 * Weighted pinball loss over all quantiles, censoring-aware: on a sold-out row true demand is at
 * least the observed target, so a prediction above it costs nothing and only predictions below
 * it are penalised (the gradient can only push them up).
 * q: [n,5], y: [n,1], censored: [n,1] of 0/1, weight: [n,1].
 */
export function pinballLoss(
  q: tf.Tensor2D,
  y: tf.Tensor2D,
  censored: tf.Tensor2D,
  weight: tf.Tensor2D,
): tf.Scalar {
  return tf.tidy(() => {
    const tau = tf.tensor2d([...quantileLevels], [1, quantileLevels.length]);
    const e = tf.sub(y, q); // > 0: prediction too low
    const under = tf.mul(tau, tf.relu(e));
    const over = tf.mul(tf.mul(tf.sub(1, tau), tf.relu(tf.neg(e))), tf.sub(1, censored));
    const perRow = tf.sum(tf.add(under, over), 1, true);
    return tf.div(tf.sum(tf.mul(perRow, weight)), tf.maximum(tf.sum(weight), 1e-9)) as tf.Scalar;
  });
}
