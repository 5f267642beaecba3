import { predictQuantiles } from '../../federated/model/train.ts';

/** One network of a forecast model and the share of its quantiles in the forecast. */
export type ModelMember = { weights: Float32Array; share: number };

/**
 * What a bakery forecasts with: one network, or several trained differently whose quantile
 * forecasts are averaged level by level. Averaging with shares that sum to one keeps each
 * forecast's quantiles in order (every member's are), and two networks trained apart err partly
 * independently, so the average errs less than either.
 */
export type ForecastModel = Float32Array | readonly ModelMember[];

export function membersOf(model: ForecastModel): readonly ModelMember[] {
  return model instanceof Float32Array ? [{ weights: model, share: 1 }] : model;
}

/** Unscaled quantiles (as `predictQuantiles`) of the model for each feature row. */
export function predictModel(model: ForecastModel, rows: ArrayLike<number>[]): number[][] {
  const members = membersOf(model);
  if (members.length === 0) throw new RangeError('a forecast model needs a network');
  const total = members.reduce((sum, m) => sum + m.share, 0);
  if (!(total > 0) || members.some((m) => !(m.share >= 0)))
    throw new RangeError('member shares must be non-negative and not all zero');
  if (members.length === 1) return predictQuantiles(members[0]!.weights, rows);
  const out = rows.map(() => [] as number[]);
  for (const member of members) {
    const w = member.share / total;
    predictQuantiles(member.weights, rows).forEach((q, i) => {
      const sum = out[i]!;
      q.forEach((v, k) => (sum[k] = (sum[k] ?? 0) + w * v));
    });
  }
  return out;
}
