/**
 * How the sync client trains and evaluates without knowing the model: injected, so the shop's
 * real model (federated/model) and a small test trainer plug in the same way. Weights are an
 * opaque flat Float32Array of the global model's length.
 */
export interface LocalTrainer {
  /** Trains from the global weights on this shop's own logs. */
  train(input: {
    initialWeights: Float32Array;
    epochs: number;
    learningRate: number;
    batchSize: number;
    seed: number;
  }): Promise<{ weights: Float32Array; sampleCount: number }>;
  /**
   * Evaluates weights on this shop's recent days. Returns only aggregate figures (null when
   * there is nothing to evaluate on): these are all the coordinator ever learns of quality.
   */
  evaluate(weights: Float32Array): Promise<{ n: number; pinball: number; wape: number } | null>;
}
