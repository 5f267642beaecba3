import { addDays } from '../../federated/calendar/dates.ts';
import { extractSamples, type Sample } from '../../federated/features/extract.ts';
import { evaluate, trainLocal } from '../../federated/model/train.ts';
import { loadHistories } from '../forecast/histories.ts';
import type { Db } from '../store/database.ts';
import type { LocalTrainer } from './trainer.ts';

// Federated evaluation looks at the last weeks only: recent quality is what the operator watches.
const evaluationDays = 28;

/**
 * A trainer over samples supplied on demand: local training from the round's global weights,
 * and federated evaluation that reports only aggregate figures (never one day's numbers).
 */
export function samplesTrainer(source: {
  training: () => Sample[];
  recent: () => Sample[];
  emptyMessage: string;
}): LocalTrainer {
  return {
    async train({ initialWeights, epochs, learningRate, batchSize, seed }) {
      const samples = source.training();
      if (samples.length === 0) throw new Error(source.emptyMessage);
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
      const samples = source.recent();
      if (samples.length === 0) return null;
      const metrics = evaluate(weights, samples);
      if (!Number.isFinite(metrics.pinball) || !Number.isFinite(metrics.wape)) return null;
      return { n: metrics.samples, pinball: metrics.pinball, wape: metrics.wape };
    },
  };
}

/** The production trainer: the shared TF.js model on this bakery's own logs. */
export function modelTrainer(db: Db): LocalTrainer {
  return samplesTrainer({
    training: () => loadHistories(db).flatMap((p) => extractSamples(p.history)),
    recent: () => {
      const histories = loadHistories(db);
      const last = histories
        .flatMap((p) => p.history.days.map((d) => d.date))
        .sort()
        .at(-1);
      if (!last) return [];
      const from = addDays(last, -evaluationDays);
      return histories.flatMap((p) => extractSamples(p.history, { from }));
    },
    emptyMessage: 'not enough history to take part: a product needs 14 open days logged first',
  });
}
