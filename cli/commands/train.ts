import { existsSync } from 'node:fs';
import { openDatabase } from '../../electron/store/database.ts';
import { startTraining, TrainingError } from '../../electron/forecast/training-job.ts';
import { requireString, UsageError, type Command } from '../command.ts';

export const trainCommand: Command = {
  name: 'train',
  summary:
    "Train the forecast model on a bakery's own logs (in a worker thread) and make it active.",
  options: {
    db: { type: 'string', value: 'FILE', description: 'The bakery database.', required: true },
    json: {
      type: 'boolean',
      description:
        'Print one JSON line {"runId","modelVersion","backend","samples","epochs","lossBefore","lossAfter","seconds"}.',
    },
  },
  async run(options, io) {
    const dbPath = requireString(options, 'db');
    if (!existsSync(dbPath)) throw new UsageError(`--db: no such file "${dbPath}"`);
    const db = openDatabase(dbPath);
    try {
      const job = startTraining({
        db,
        trigger: 'cli',
        onProgress:
          io.interactive && !options.json
            ? ({ done, total, loss }) =>
                process.stderr.write(
                  `\rtraining epoch ${done}/${total} loss ${loss?.toFixed(4) ?? ''}   `,
                )
            : undefined,
      });
      const outcome = await job.promise;
      if (io.interactive && !options.json) process.stderr.write('\n');
      if (options.json) {
        io.out(
          JSON.stringify({
            runId: outcome.runId,
            modelVersion: outcome.modelVersionId,
            backend: outcome.backend,
            samples: outcome.samples,
            epochs: outcome.epochs,
            lossBefore: outcome.lossBefore,
            lossAfter: outcome.lossAfter,
            seconds: Math.round(outcome.seconds * 10) / 10,
          }),
        );
      } else {
        io.out(
          `Trained model version ${outcome.modelVersionId} on ${outcome.samples} samples, ${outcome.epochs} epochs, ` +
            `in ${outcome.seconds.toFixed(1)} s (backend: ${outcome.backend}); ` +
            `loss ${outcome.lossBefore.toFixed(4)} → ${outcome.lossAfter.toFixed(4)}.`,
        );
      }
      return 0;
    } catch (error) {
      if (error instanceof TrainingError) {
        io.err(`Training ${error.status}: ${error.message}`);
        return 1;
      }
      throw error;
    } finally {
      db.close();
    }
  },
};
