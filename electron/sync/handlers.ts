import { ApiError, type Handlers } from '../api/dispatcher.ts';
import type { BackendContext } from '../backend/context.ts';
import { appVersion } from '../backend/version.ts';
import { SyncClient } from './client.ts';
import { SyncError } from './errors.ts';
import { exportLedger, listLedger } from './ledger.ts';
import { loadSyncState } from './state.ts';
import type { LocalTrainer } from './trainer.ts';
import type { SyncRunResult } from '../api/contract/sync.ts';

type SyncHandlers = Pick<
  Handlers,
  'sync.status' | 'sync.enrol' | 'sync.runNow' | 'ledger.list' | 'ledger.export'
>;

/**
 * Sync and ledger methods of the bakery API. The trainer is injected: the shared model's by
 * default, anything with the `LocalTrainer` shape in tests.
 */
export function syncHandlers(
  context: BackendContext,
  trainer: () => LocalTrainer | Promise<LocalTrainer> = defaultTrainer(context),
): SyncHandlers {
  let client: SyncClient | null = null;
  let running: Promise<unknown> | null = null;
  const clientFor = async () =>
    (client ??= new SyncClient({
      db: context.db,
      trainer: await trainer(),
      appVersion,
      now: context.now,
      log: context.log,
    }));
  return {
    'sync.status': async () => (await clientFor()).status(),
    'sync.enrol': async (input) => {
      try {
        const status = await (await clientFor()).enrol(input);
        context.events.emit({ type: 'data.changed', scope: 'sync' });
        return status;
      } catch (error) {
        if (error instanceof SyncError)
          throw new ApiError(error.retryable ? 'unavailable' : 'conflict', {
            code: 'refusal.syncFailed',
            params: { detail: error.message, retryable: error.retryable },
          });
        throw error;
      }
    },
    'sync.runNow': async () => {
      const sync = await clientFor();
      if (!sync.status().enrolled)
        throw new ApiError('conflict', { code: 'refusal.notEnrolled', params: {} });
      if (running) throw new ApiError('conflict', { code: 'refusal.syncRunning', params: {} });
      const job = sync.runOnce({ ignoreBackoff: true });
      running = job;
      try {
        const result = await job;
        context.events.emit({ type: 'data.changed', scope: 'sync' });
        return result;
      } finally {
        running = null;
      }
    },
    'ledger.list': (input) => listLedger(context.db, input),
    'ledger.export': (input) => exportLedger(context.db, input.format, context.now()),
  };
}

function defaultTrainer(context: BackendContext): () => Promise<LocalTrainer> {
  // Loaded on first use: TF.js is heavy and the status screen should not wait for it.
  return async () => (await import('./model-trainer.ts')).modelTrainer(context.db);
}

/**
 * For the nightly job, after local training: one sync with backoff respected, when this bakery
 * is enrolled. Never throws; the outcome is in `sync.status` (lastError in plain words).
 */
export async function syncIfEnrolled(
  context: BackendContext,
  trainer: () => LocalTrainer | Promise<LocalTrainer> = defaultTrainer(context),
): Promise<SyncRunResult | null> {
  if (!loadSyncState(context.db)) return null;
  const client = new SyncClient({
    db: context.db,
    trainer: await trainer(),
    appVersion,
    now: context.now,
    log: context.log,
  });
  // A secure round needs several exchanges minutes apart: keep polling while it runs.
  const result = await client.runUntilRoundSettles({
    sleep: async (ms) => {
      context.events.emit({ type: 'data.changed', scope: 'sync' });
      await new Promise<void>((resolve) => setTimeout(resolve, ms).unref());
    },
  });
  context.events.emit({ type: 'data.changed', scope: 'sync' });
  return result;
}
