import { extractSamples } from '../../federated/features/extract.ts';
import { evaluate, trainLocal } from '../../federated/model/train.ts';
import { loadHistories } from '../forecast/histories.ts';
import type { Db } from '../store/database.ts';
import type { LocalTrainer } from './trainer.ts';

// Federated evaluation looks at the last weeks only: recent quality is what the operator watches.
const evaluationDays = 28;

/** The production trainer: the shared TF.js model on this bakery's own logs. */
export function modelTrainer(db: Db): LocalTrainer {
  return {
    async train({ initialWeights, epochs, learningRate, batchSize, seed }) {
      const samples = loadHistories(db).flatMap((p) => extractSamples(p.history));
      if (samples.length === 0)
        throw new Error(
          'not enough history to take part: a product needs 14 open days logged first',
        );
      const result = await trainLocal({
        initialWeights,
        samples,
        epochs,
        learningRate,
        batchSize,
        seed,
      });
      return { weights: result.weights, sampleCount: result.samples };
    },
    async evaluate(weights) {
      const histories = loadHistories(db);
      const last = histories
        .flatMap((p) => p.history.days.map((d) => d.date))
        .sort()
        .at(-1);
      if (!last) return null;
      const from = new Date(Date.parse(`${last}T00:00:00Z`) - evaluationDays * 86_400_000)
        .toISOString()
        .slice(0, 10);
      const samples = histories.flatMap((p) => extractSamples(p.history, { from }));
      if (samples.length === 0) return null;
      const metrics = evaluate(weights, samples);
      if (!Number.isFinite(metrics.pinball) || !Number.isFinite(metrics.wape)) return null;
      return { n: metrics.samples, pinball: metrics.pinball, wape: metrics.wape };
    },
  };
}
