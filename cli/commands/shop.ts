import { startHttpBridge } from '../../electron/bridge/http-bridge.ts';
import { createBackend } from '../../electron/backend/backend.ts';
import { optionalNumber, requireString, type Command } from '../command.ts';
import { rendererConfig, rendererDist } from '../paths.ts';
import { ensureUiBuilt } from '../ui-build.ts';
import { untilInterrupted } from '../shutdown.ts';

export const shopCommand: Command = {
  name: 'shop',
  summary: 'Run the bakery app in browser mode (the same UI and backend over HTTP on 127.0.0.1).',
  options: {
    db: {
      type: 'string',
      value: 'FILE',
      description: 'The bakery database (created if missing).',
      required: true,
    },
    port: {
      type: 'string',
      value: 'N',
      description: 'Port on 127.0.0.1 (0 picks a free one). Default 5180.',
    },
  },
  async run(options, io) {
    const databasePath = requireString(options, 'db');
    const port = optionalNumber(options, 'port', { integer: true, min: 0, max: 65535 }) ?? 5180;
    await ensureUiBuilt(rendererConfig, rendererDist, io.err);
    const backend = createBackend({ databasePath, transport: 'http', nightlyJobs: true });
    const bridge = await startHttpBridge({ backend, port, staticDir: rendererDist });
    const interrupted = untilInterrupted();
    io.out(`Breadcast is open in browser mode: ${bridge.url}`);
    await interrupted;
    await bridge.close();
    backend.close();
    return 0;
  },
};
