import { afterAll, describe, expect, it } from 'vitest';
import { evaluate, trainLocal } from '../../../federated/model/train.ts';
import { featureCount } from '../../../federated/features/spec.ts';
import { seededRandom } from '../../../federated/model/random.ts';
import { fromColumns, toColumns } from '../../../simulation/workers/sample-columns.ts';
import { TrainingPool } from '../../../simulation/workers/training-pool.ts';

/** Samples with a learnable pattern: demand follows the first two features. */
function samples(n: number, seed: number) {
  const random = seededRandom(seed);
  return Array.from({ length: n }, () => {
    const x = Array.from({ length: featureCount }, () => random());
    const y = 0.5 + x[0]! + 0.5 * x[1]! + 0.1 * random();
    const level = 1 + 40 * random();
    return { x, y, censored: random() < 0.05, level, sold: Math.round(y * level) };
  });
}

const pool = new TrainingPool({ size: 2 });
afterAll(() => pool.close());

describe('training pool', () => {
  it('packs samples into columns and back without changing a value the trainer reads', () => {
    const s = samples(50, 3);
    const back = fromColumns(toColumns(s));
    back.forEach((b, i) => {
      expect(Array.from(b.x)).toEqual(s[i]!.x.map((v) => Math.fround(v)));
      expect([b.y, b.censored, b.level, b.sold]).toEqual([
        s[i]!.y,
        s[i]!.censored,
        s[i]!.level,
        s[i]!.sold,
      ]);
    });
  });

  it('trains on its threads exactly what training here gives, several jobs at once', async () => {
    const jobs = [1, 2, 3].map((seed) => ({
      samples: samples(400, seed),
      epochs: 2,
      learningRate: 0.003,
      batchSize: 64,
      seed,
    }));
    const pooled = await Promise.all(jobs.map((j) => pool.train(j)));
    for (const [i, job] of jobs.entries()) {
      const here = await trainLocal(job);
      expect(pooled[i]!.samples).toBe(400);
      expect(pooled[i]!.lossAfter).toBeLessThan(pooled[i]!.lossBefore);
      expect(Array.from(pooled[i]!.weights)).toEqual(Array.from(here.weights));
    }
    const metrics = await pool.evaluate(pooled[0]!.weights, jobs[0]!.samples);
    expect(metrics).toEqual(evaluate(pooled[0]!.weights, jobs[0]!.samples));
    expect(pool.backend).not.toBeNull();
  });

  it('fails only the job that failed, and keeps serving', async () => {
    const bad = samples(10, 4).map((s) => ({ ...s, x: s.x.slice(1) }));
    await expect(
      pool.train({ samples: bad, epochs: 1, learningRate: 0.003, batchSize: 8, seed: 1 }),
    ).rejects.toThrow(/features/);
    const ok = await pool.train({
      samples: samples(100, 5),
      epochs: 1,
      learningRate: 0.003,
      batchSize: 32,
      seed: 1,
    });
    expect(ok.samples).toBe(100);
  });
});
