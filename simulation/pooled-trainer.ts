import { addDays } from '../federated/calendar/dates.ts';
import type { LocalTrainer } from '../electron/sync/trainer.ts';
import type { SimBakery } from './bakeries.ts';
import type { TrainingPool } from './workers/training-pool.ts';

/** Federated evaluation looks at the bakery's last four weeks before its holdout. */
const evaluationDays = 28;

/**
 * A simulated shop's trainer over its training days only (the held-out days are never seen):
 * training and evaluation run on the pool's threads, so the sync client on the main thread
 * only waits for them and the coordinator's event loop is never blocked.
 */
export function pooledTrainer(bakery: SimBakery, pool: TrainingPool): LocalTrainer {
  const recentFrom = addDays(bakery.firstHoldout, -evaluationDays);
  const recent = bakery.trainingSamples.filter((s) => s.date >= recentFrom);
  return {
    async train({ initialWeights, epochs, learningRate, batchSize, seed }) {
      if (bakery.trainingSamples.length === 0)
        throw new Error(`${bakery.id} has no training samples`);
      const result = await pool.train({
        samples: bakery.trainingSamples,
        initialWeights,
        epochs,
        learningRate,
        batchSize,
        seed,
      });
      return { weights: result.weights, sampleCount: result.samples };
    },
    async evaluate(weights) {
      if (recent.length === 0) return null;
      const metrics = await pool.evaluate(weights, recent);
      if (!Number.isFinite(metrics.pinball) || !Number.isFinite(metrics.wape)) return null;
      return { n: metrics.samples, pinball: metrics.pinball, wape: metrics.wape };
    },
  };
}
