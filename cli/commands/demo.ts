import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { dashboardDist } from '../../coordinator/overview/dashboard-static.ts';
import { optionalNumber, type Command } from '../command.ts';
import { rendererConfig, rendererDist } from '../paths.ts';
import { untilInterrupted } from '../shutdown.ts';
import { ensureUiBuilt } from '../ui-build.ts';
import { progressBars } from '../../simulation/progress.ts';
import { startDemo } from '../../simulation/demo.ts';

const dashboardConfig = fileURLToPath(
  new URL('../../coordinator/dashboard/vite.config.ts', import.meta.url),
);

export const demoCommand: Command = {
  name: 'demo',
  summary:
    'Start a coordinator, five bakeries from the real chain data and a few federated rounds; leave the dashboard and one bakery app open.',
  options: {
    dir: {
      type: 'string',
      value: 'DIR',
      description: 'Where the demo keeps its databases (default .breadcast-demo in this folder).',
    },
    keep: {
      type: 'boolean',
      description: 'Reuse the previous demo in DIR instead of a fresh one.',
    },
    stores: {
      type: 'string',
      value: 'N',
      description: 'Simulated bakeries (5–20, default 5: the app’s default policy wants five).',
    },
    rounds: { type: 'string', value: 'R', description: 'Federated rounds to run (default 3).' },
    port: { type: 'string', value: 'N', description: 'Coordinator port (default: a free one).' },
    'app-port': {
      type: 'string',
      value: 'N',
      description: 'Bakery app port (default: a free one).',
    },
  },
  async run(options, io) {
    const dir = resolve(typeof options.dir === 'string' ? options.dir : '.breadcast-demo');
    await ensureUiBuilt(rendererConfig, rendererDist, io.err);
    await ensureUiBuilt(dashboardConfig, dashboardDist, io.err);
    const bars = progressBars(io.interactive);
    const port = optionalNumber(options, 'port', { integer: true, min: 0, max: 65535 });
    const appPort = optionalNumber(options, 'app-port', { integer: true, min: 0, max: 65535 });
    const started = performance.now();
    let reported = 0;
    const demo = await startDemo({
      dir,
      keep: options.keep === true,
      stores: optionalNumber(options, 'stores', { integer: true, min: 5, max: 20 }) ?? 5,
      rounds: optionalNumber(options, 'rounds', { integer: true, min: 1, max: 50 }) ?? 3,
      ...(port !== undefined ? { coordinatorPort: port } : {}),
      ...(appPort !== undefined ? { appPort } : {}),
      rendererDist,
      say: (line) => io.err(line),
      onProgress: (p) => {
        bars.update(p);
        if (!io.interactive && p.kind === 'round' && p.round > reported) {
          reported = p.round;
          io.err(`round ${p.round}/${p.rounds} done`);
        }
      },
    }).finally(() => bars.stop());
    const interrupted = untilInterrupted();
    const published = demo.rounds.filter((r) => r.phase === 'published').length;
    io.out(
      `Demo ready in ${((performance.now() - started) / 1000).toFixed(0)} s: ${published} of ${demo.rounds.length} rounds published (data in ${dir}).`,
    );
    io.out(`  Dashboard:  ${demo.dashboardUrl}`);
    io.out(`  Operator:   ${demo.operatorName} / ${demo.operatorPassword}`);
    io.out(`  Bakery app: ${demo.appUrl}`);
    io.out('Press Ctrl-C to stop.');
    await interrupted;
    io.err('Stopping the demo…');
    await demo.close();
    return 0;
  },
};
