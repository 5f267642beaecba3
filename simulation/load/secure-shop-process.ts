/**
 * A child process of the secure load scenario running its share of the shops (secure-shop-runs.ts):
 * it gets its configuration as the first IPC message, says `done` as each shop ends, and sends its
 * report before it exits.
 */
import { runShops, type ShopRunConfig } from './secure-shop-runs.ts';

process.once('message', (config: ShopRunConfig) => {
  runShops(config, () => process.send!({ done: true }))
    .then((report) => process.send!({ report }, () => process.exit(0)))
    .catch((error: unknown) =>
      process.send!({ error: (error as Error).stack ?? String(error) }, () => process.exit(1)),
    );
});
