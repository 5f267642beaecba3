import cliProgress from 'cli-progress';
import type { SimulationProgress } from './simulate.ts';

export type ProgressView = {
  update(progress: SimulationProgress): void;
  stop(): void;
};

const silent: ProgressView = { update: () => {}, stop: () => {} };

/**
 * Progress bars on stderr (only on a terminal, so piped JSON stays clean): one for training
 * stages, one for bakeries × rounds (a bakery's round is done when it has sent its update, has
 * failed after its retries, or the round has ended without it).
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
  let grid: cliProgress.SingleBar | null = null;
  let round = '';
  let failed = 0;
  const label = (text: string) => text.padEnd(16);
  const gridDetail = () => `${round}${failed ? ` · ${failed} failed` : ''}`;
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
      } else if (p.kind === 'bakery-rounds') {
        grid ??= multi.create(p.total, 0, { label: label('bakeries×rounds'), detail: '' });
        failed = p.failed;
        grid.setTotal(Math.max(p.total, 1));
        grid.update(p.done, { detail: gridDetail() });
      } else if (p.kind === 'round') {
        round = p.round < p.rounds ? `round ${p.round + 1} of ${p.rounds}` : 'rounds done';
        grid?.update({ detail: gridDetail() });
      }
    },
    stop() {
      multi.stop();
    },
  };
}
