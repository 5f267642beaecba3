import type { Logger } from 'pino';
import {
  currentRoundResponse,
  enrolResponse,
  generateShopKeyPair,
  refusalAck,
  updateResponse,
  type CurrentRoundResponse,
} from '../../federated/protocol/index.ts';
import { shopPrivacy } from '../privacy/budget.ts';
import type { SyncRunResult, SyncStatus } from '../api/contract/sync.ts';
import type { Db } from '../store/database.ts';
import { SyncError } from './errors.ts';
import { CoordinatorHttp } from './http.ts';
import { ledgerRequestLog } from './ledger.ts';
import { secureUpdate, type TrainingContext } from './local-update.ts';
import { fetchCurrentModel } from './model-download.ts';
import { flushOutbox, pendingCount, type OutboxMessage } from './outbox.ts';
import { queuePlainUpdate } from './plain-round.ts';
import { roundActivity, saveRoundActivity } from './round-activity.ts';
import { loadSyncState, saveSyncState, updateSyncState, type SyncState } from './state.ts';
import type { LocalTrainer } from './trainer.ts';
import { forgetFinishedSecureRounds, stepSecureRound, type SecureStep } from './secagg-client.ts';

export type SyncClientOptions = {
  db: Db;
  trainer: LocalTrainer;
  appVersion: string;
  now?: () => Date;
  fetch?: typeof fetch;
  log?: Logger;
};

function plainError(error: unknown): string {
  return error instanceof SyncError ? error.message : `Sync failed: ${(error as Error).message}`;
}

/**
 * The shop's side of federated rounds: enrolment, taking part in the open round, the outbox,
 * downloading new global models and reporting their evaluation. Every step is safe to retry.
 */
export class SyncClient {
  private readonly now: () => Date;

  constructor(private readonly options: SyncClientOptions) {
    this.now = options.now ?? (() => new Date());
  }

  private get db() {
    return this.options.db;
  }

  private get training(): TrainingContext {
    return { db: this.db, now: this.now, trainer: this.options.trainer };
  }

  status(): SyncStatus {
    const state = loadSyncState(this.db);
    return {
      enrolled: state !== null,
      coordinatorUrl: state?.coordinatorUrl ?? null,
      shopId: state?.shopId ?? null,
      shopName: state?.shopName ?? null,
      lastSyncAt: state?.lastSyncAt ?? null,
      modelVersion: state?.modelVersion ?? null,
      currentRound: state?.currentRound ?? null,
      nextRoundAt: state?.nextRoundAt ?? null,
      pendingOutbox: pendingCount(this.db),
      lastError: state?.lastError ?? null,
      roundActivity: roundActivity(this.db),
      privacy: shopPrivacy(this.db, this.now()),
    };
  }

  async enrol(input: {
    coordinatorUrl: string;
    inviteCode: string;
    shopName: string;
  }): Promise<SyncStatus> {
    if (loadSyncState(this.db))
      throw new SyncError(
        'already-enrolled',
        'This bakery is already enrolled with a coordinator.',
        false,
      );
    const keys = generateShopKeyPair();
    const http = this.http({ coordinatorUrl: input.coordinatorUrl, clockOffsetMs: 0 }, null);
    const body = JSON.stringify({
      inviteCode: input.inviteCode,
      shopName: input.shopName,
      appVersion: this.options.appVersion,
      publicKey: keys.publicKey,
    });
    const { body: enrolled } = await http.send('POST', '/v1/enrol', body, enrolResponse, {
      kind: 'enrol',
      roundId: null,
    });
    const state: SyncState = {
      coordinatorUrl: input.coordinatorUrl,
      shopId: enrolled!.shopId,
      shopName: enrolled!.shopName,
      publicKey: keys.publicKey,
      privateKey: keys.privateKey,
      clockOffsetMs: http.clockOffsetMs,
      lastSyncAt: this.now().toISOString(),
      lastError: null,
      modelVersion: null,
      currentRound: null,
      nextRoundAt: null,
    };
    saveSyncState(this.db, state);
    this.options.log?.info({ shop: state.shopId }, 'enrolled with coordinator');
    return this.status();
  }

  /**
   * One sync: send the outbox, take part in the running round if this shop has not yet,
   * fetch the current model, evaluate and report it. Errors are kept in plain words.
   */
  async runOnce(options: { ignoreBackoff?: boolean } = {}): Promise<SyncRunResult> {
    const state = loadSyncState(this.db);
    if (!state)
      throw new SyncError(
        'not-enrolled',
        'This bakery has not joined a consortium yet: enter the coordinator address and invite code first.',
        false,
      );
    const http = this.http(state, { shopId: state.shopId, privateKey: state.privateKey });
    let participated: number | null = null;
    const notes: string[] = [];
    try {
      await this.flush(http, options.ignoreBackoff ?? false, notes);
      const current = (
        await http.send('GET', '/v1/rounds/current', null, currentRoundResponse, {
          kind: 'status',
          roundId: null,
        })
      ).body!;
      this.rememberRound(current);
      const running =
        current.round && current.round.phase !== 'published' && current.round.phase !== 'failed'
          ? current.round.id
          : null;
      forgetFinishedSecureRounds(this.db, running);
      await fetchCurrentModel(this.training, http, current.currentModelVersion);
      if (await queuePlainUpdate(this.training, http, current)) participated = current.round!.id;
      const step = await this.secureStep(http, current, {
        shopId: state.shopId,
        privateKey: state.privateKey,
      });
      if (step?.action === 'uploaded') participated = step.roundId;
      saveRoundActivity(this.db, step);
      await this.flush(http, true, notes);
      updateSyncState(this.db, {
        lastSyncAt: this.now().toISOString(),
        lastError: notes.length ? notes.join(' ') : null,
      });
    } catch (error) {
      const message = plainError(error);
      updateSyncState(this.db, { lastError: message });
      this.options.log?.warn({ err: error }, 'sync failed');
      return {
        message,
        participatedInRound: participated,
        modelVersion: this.status().modelVersion,
        status: this.status(),
      };
    }
    const status = this.status();
    const message =
      participated === null && status.roundActivity
        ? status.roundActivity
        : participated !== null
          ? `Sent this bakery's update for round ${participated}; holding model version ${status.modelVersion}.`
          : `Up to date with model version ${status.modelVersion}${status.pendingOutbox ? `; ${status.pendingOutbox} message(s) wait to be sent` : ''}.`;
    return {
      message,
      participatedInRound: participated,
      modelVersion: status.modelVersion,
      status,
    };
  }

  /**
   * Whether this bakery is in the middle of a secure round and should sync again soon: its
   * phases have deadlines of minutes, so the nightly job keeps polling while this is true.
   */
  inSecureRound(): boolean {
    const round = loadSyncState(this.db)?.currentRound;
    if (!round || round.deadline === null) return false;
    return roundActivity(this.db) !== null;
  }

  /**
   * The nightly sync: one run, then, while a secure round this bakery takes part in is still
   * running, further runs every `pollMs` (its phases close within minutes) until the round
   * publishes or fails, or `maxMs` has passed. Returns the last run's result.
   */
  async runUntilRoundSettles(
    options: {
      pollMs?: number;
      maxMs?: number;
      sleep?: (ms: number) => Promise<void>;
    } = {},
  ): Promise<SyncRunResult> {
    const pollMs = options.pollMs ?? 30_000;
    const maxMs = options.maxMs ?? 90 * 60_000;
    const sleep =
      options.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms).unref()));
    const started = Date.now();
    let result = await this.runOnce();
    // Once this bakery has a part in the round, it also waits for the publication (its part
    // can end before the coordinator has rebuilt the sum), so the new model arrives tonight.
    const tookPart = this.inSecureRound();
    const running = () => (loadSyncState(this.db)?.currentRound?.deadline ?? null) !== null;
    while (tookPart && (this.inSecureRound() || running()) && Date.now() - started < maxMs) {
      await sleep(pollMs);
      result = await this.runOnce();
    }
    return result;
  }

  private http(
    state: Pick<SyncState, 'coordinatorUrl' | 'clockOffsetMs'>,
    identity: { shopId: string; privateKey: string } | null,
  ): CoordinatorHttp {
    return new CoordinatorHttp(
      {
        baseUrl: state.coordinatorUrl,
        appVersion: this.options.appVersion,
        now: this.now,
        fetch: this.options.fetch,
        log: ledgerRequestLog(this.db, this.now),
        clockOffsetMs: state.clockOffsetMs,
        onClockOffset: (offset) => {
          if (loadSyncState(this.db)) updateSyncState(this.db, { clockOffsetMs: offset });
        },
      },
      identity,
    );
  }

  private async flush(
    http: CoordinatorHttp,
    ignoreBackoff: boolean,
    notes: string[],
  ): Promise<void> {
    const result = await flushOutbox(
      this.db,
      async (message: OutboxMessage) => {
        try {
          await http.send(
            'POST',
            message.path,
            message.body,
            answerSchemas[message.kind],
            message.meta,
          );
        } catch (error) {
          // A coordinator that predates refusal reports cannot take one: the refusal itself is
          // made and kept here, and the request is in the ledger; nothing is left to retry.
          if (message.kind === 'refusal' && error instanceof SyncError && error.status === 404)
            return;
          throw error;
        }
      },
      (error) => ({
        retryable: error instanceof SyncError ? error.retryable : true,
        message: plainError(error),
      }),
      { now: this.now, ignoreBackoff },
    );
    for (const drop of result.dropped) notes.push(`Not sent: ${drop}`);
    if (result.failed > 0 && result.lastError)
      throw new SyncError('outbox', result.lastError, true);
  }

  private rememberRound(current: CurrentRoundResponse): void {
    const round = current.round;
    const running = round && round.phase !== 'published' && round.phase !== 'failed';
    updateSyncState(this.db, {
      currentRound: round
        ? { id: round.id, phase: round.phase, deadline: running ? round.phaseDeadline : null }
        : null,
      nextRoundAt: current.nextRoundAt,
    });
  }

  /** This bakery's step of a secure-aggregation round (shops poll: one step per sync). */
  private async secureStep(
    http: CoordinatorHttp,
    current: CurrentRoundResponse,
    identity: { shopId: string; privateKey: string },
  ): Promise<SecureStep | null> {
    const round = current.round;
    if (!round || round.settings.mode !== 'secure') return null;
    if (round.phase === 'published' || round.phase === 'failed') return null;
    return stepSecureRound(
      {
        db: this.db,
        http,
        identity,
        now: this.now,
        ...(this.options.log ? { log: this.options.log } : {}),
        computeUpdate: (r) => secureUpdate(this.training, http, r),
      },
      round,
    );
  }
}

const answerSchemas = {
  update: updateResponse,
  refusal: refusalAck,
} as const;
