import type { ServerOptimizer } from '../protocol/rounds.ts';

/**
 * Server optimizers of Reddi et al. 2021 ("Adaptive Federated Optimization"): the averaged
 * update is treated as a pseudo-gradient. State is plain arrays so it can be stored as JSON
 * or a blob and a restarted coordinator continues exactly where it stopped.
 */
export type OptimizerState = {
  kind: ServerOptimizer['kind'];
  step: number;
  /** First moment (FedAvgM momentum buffer, FedAdam m). */
  m: Float64Array | null;
  /** FedAdam second moment. */
  v: Float64Array | null;
};

export function emptyOptimizerState(kind: ServerOptimizer['kind']): OptimizerState {
  return { kind, step: 0, m: null, v: null };
}

export function applyServerOptimizer(
  global: Float32Array,
  averageDelta: Float64Array,
  optimizer: ServerOptimizer,
  previous: OptimizerState | null,
): { weights: Float32Array; state: OptimizerState } {
  if (global.length !== averageDelta.length)
    throw new RangeError('update and model differ in length');
  const n = global.length;
  const state =
    previous && previous.kind === optimizer.kind && (previous.m === null || previous.m.length === n)
      ? previous
      : emptyOptimizerState(optimizer.kind);
  const out = new Float32Array(n);
  switch (optimizer.kind) {
    case 'fedavg':
      for (let i = 0; i < n; i++) out[i] = global[i]! + optimizer.learningRate * averageDelta[i]!;
      return { weights: out, state: { kind: 'fedavg', step: state.step + 1, m: null, v: null } };
    case 'fedavgm': {
      const m = new Float64Array(n);
      for (let i = 0; i < n; i++) {
        m[i] = optimizer.momentum * (state.m?.[i] ?? 0) + averageDelta[i]!;
        out[i] = global[i]! + optimizer.learningRate * m[i]!;
      }
      return { weights: out, state: { kind: 'fedavgm', step: state.step + 1, m, v: null } };
    }
    case 'fedadam': {
      const m = new Float64Array(n);
      const v = new Float64Array(n);
      const { beta1, beta2, tau, learningRate } = optimizer;
      for (let i = 0; i < n; i++) {
        const d = averageDelta[i]!;
        m[i] = beta1 * (state.m?.[i] ?? 0) + (1 - beta1) * d;
        v[i] = beta2 * (state.v?.[i] ?? tau * tau) + (1 - beta2) * d * d;
        out[i] = global[i]! + (learningRate * m[i]!) / (Math.sqrt(v[i]!) + tau);
      }
      return { weights: out, state: { kind: 'fedadam', step: state.step + 1, m, v } };
    }
  }
}

export function serializeOptimizerState(state: OptimizerState): string {
  return JSON.stringify({
    kind: state.kind,
    step: state.step,
    m: state.m ? Array.from(state.m) : null,
    v: state.v ? Array.from(state.v) : null,
  });
}

export function parseOptimizerState(text: string): OptimizerState {
  const raw = JSON.parse(text) as {
    kind: OptimizerState['kind'];
    step: number;
    m: number[] | null;
    v: number[] | null;
  };
  return {
    kind: raw.kind,
    step: raw.step,
    m: raw.m ? Float64Array.from(raw.m) : null,
    v: raw.v ? Float64Array.from(raw.v) : null,
  };
}
