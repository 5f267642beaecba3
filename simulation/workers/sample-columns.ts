import type { TrainingSample } from '../../federated/model/train.ts';

/**
 * Training samples as typed columns, so a job reaches a worker thread as a few memory copies
 * instead of tens of thousands of cloned objects. Features are float32 because the trainer
 * computes in float32 anyway; targets and levels keep their float64 values, so training from
 * columns gives exactly the weights training from the samples gives.
 */
export type SampleColumns = {
  n: number;
  f: number;
  x: Float32Array;
  y: Float64Array;
  censored: Uint8Array;
  level: Float64Array;
  sold: Float64Array;
};

export function toColumns(samples: readonly TrainingSample[]): SampleColumns {
  const n = samples.length;
  const f = samples[0]?.x.length ?? 0;
  const columns: SampleColumns = {
    n,
    f,
    x: new Float32Array(n * f),
    y: new Float64Array(n),
    censored: new Uint8Array(n),
    level: new Float64Array(n),
    sold: new Float64Array(n),
  };
  samples.forEach((s, i) => {
    if (s.x.length !== f) throw new Error(`sample ${i} has ${s.x.length} features, expected ${f}`);
    for (let k = 0; k < f; k++) columns.x[i * f + k] = s.x[k]!;
    columns.y[i] = s.y;
    columns.censored[i] = s.censored ? 1 : 0;
    columns.level[i] = s.level;
    columns.sold[i] = s.sold;
  });
  return columns;
}

export function fromColumns(columns: SampleColumns): TrainingSample[] {
  const { n, f } = columns;
  return Array.from({ length: n }, (_, i) => ({
    x: columns.x.subarray(i * f, (i + 1) * f),
    y: columns.y[i]!,
    censored: columns.censored[i] === 1,
    level: columns.level[i]!,
    sold: columns.sold[i]!,
  }));
}
