import cliProgress from 'cli-progress';
import type { SimulationProgress } from './simulate.ts';

export type ProgressView = {
  update(progress: SimulationProgress): void;
  stop(): void;
};

const silent: ProgressView = { update: () => {}, stop: () => {} };

/**
 * Progress bars on stderr (only on a terminal, so piped JSON stays clean): one for training
 * stages, one for rounds, one for the shops of the current round.
 */
export function progressBars(interactive: boolean): ProgressView {
  if (!interactive) return silent;
  const multi = new cliProgress.MultiBar(
    {
      stream: process.stderr,
      format: ' {label} [{bar}] {value}/{total} {detail}',
      barCompleteChar: '█',
      barIncompleteChar: '░',
      hideCursor: true,
      clearOnComplete: false,
      autopadding: true,
    },
    cliProgress.Presets.shades_classic,
  );
  let training: cliProgress.SingleBar | null = null;
  let rounds: cliProgress.SingleBar | null = null;
  let shops: cliProgress.SingleBar | null = null;
  const label = (text: string) => text.padEnd(10);
  return {
    update(p) {
      if (p.kind === 'stage') {
        training ??= multi.create(1, 0, { label: label('training'), detail: '' });
        training.update({ detail: p.stage });
      } else if (p.kind === 'train') {
        training ??= multi.create(p.total, 0, { label: label('training'), detail: '' });
        training.setTotal(p.total);
        const what = {
          local: 'local models',
          centralized: 'pooled model',
          adapt: 'local adaptation',
        }[p.method];
        training.update(p.done, { detail: what });
      } else if (p.kind === 'round') {
        rounds ??= multi.create(p.rounds, 0, { label: label('rounds'), detail: '' });
        rounds.update(p.round, {
          detail: p.round < p.rounds ? `round ${p.round + 1} running` : 'done',
        });
      } else {
        shops ??= multi.create(p.total, 0, { label: label('shops'), detail: '' });
        shops.setTotal(Math.max(p.total, 1));
        shops.update(p.done, { detail: p.shop });
      }
    },
    stop() {
      multi.stop();
    },
  };
}
