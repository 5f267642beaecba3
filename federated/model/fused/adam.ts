/**
 * Adam as TF.js's `tf.train.adam(lr)` applies it: β₁ 0.9, β₂ 0.999, ε 1e-7 (the float32
 * backend's epsilon), bias correction dividing the moments by 1 − βᵗ with βᵗ kept as float32.
 */
export const adamSettings = { beta1: 0.9, beta2: 0.999, epsilon: 1e-7 } as const;

/** 1 − β₁ᵗ and 1 − β₂ᵗ for successive steps t = 1, 2, … */
export class BiasCorrection {
  private power1 = Math.fround(adamSettings.beta1);
  private power2 = Math.fround(adamSettings.beta2);

  next(): { first: number; second: number } {
    const step = { first: Math.fround(1 - this.power1), second: Math.fround(1 - this.power2) };
    this.power1 = Math.fround(this.power1 * adamSettings.beta1);
    this.power2 = Math.fround(this.power2 * adamSettings.beta2);
    return step;
  }
}

/** One Adam update in place, in TF.js's operation order (double arithmetic, float32 storage). */
export function adamStep(
  weights: Float32Array,
  gradient: ArrayLike<number>,
  m: Float32Array,
  v: Float32Array,
  learningRate: number,
  correction: { first: number; second: number },
): void {
  const { beta1, beta2, epsilon } = adamSettings;
  for (let i = 0; i < weights.length; i++) {
    const g = gradient[i]!;
    const mi = (m[i] = beta1 * m[i]! + (1 - beta1) * g);
    const vi = (v[i] = beta2 * v[i]! + (1 - beta2) * g * g);
    weights[i] =
      weights[i]! -
      (mi / correction.first / (Math.sqrt(vi / correction.second) + epsilon)) * learningRate;
  }
}
