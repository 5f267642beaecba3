import type { Logger } from 'pino';
import { clipUpdate } from '../../federated/aggregation/index.ts';
import {
  checkinResponse,
  currentRoundResponse,
  decodeFloat32,
  encodeFloat32,
  enrolResponse,
  generateShopKeyPair,
  modelResponse,
  refusalAck,
  sha256Hex,
  updateResponse,
  weightsHash,
  type CurrentRoundResponse,
  type RoundView,
} from '../../federated/protocol/index.ts';
import { roundKey, shopPrivacy } from '../privacy/budget.ts';
import { admitBySettings } from '../privacy/refusals.ts';
import type { SyncRunResult, SyncStatus } from '../api/contract/sync.ts';
import type { Db } from '../store/database.ts';
import { SyncError } from './errors.ts';
import { loadGlobalModel, storeGlobalModel } from './global-models.ts';
import { CoordinatorHttp } from './http.ts';
import { enqueue, flushOutbox, hasPending, pendingCount, type OutboxMessage } from './outbox.ts';
import { ledgerRequestLog } from './ledger.ts';
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
      await this.fetchCurrentModel(http, current.currentModelVersion);
      if (await this.participate(http, current)) participated = current.round!.id;
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

  private async modelVersion(http: CoordinatorHttp, version: number): Promise<Float32Array> {
    const held = loadGlobalModel(this.db, version);
    if (held) return held;
    const model = (
      await http.send('GET', `/v1/models/${version}`, null, modelResponse, {
        kind: 'model',
        roundId: null,
        details: { version },
      })
    ).body!;
    return this.verifyAndStore(model.version, model.weights, model.sha256);
  }

  private verifyAndStore(version: number, encoded: string, sha256: string): Float32Array {
    const weights = decodeFloat32(encoded);
    if (weightsHash(weights) !== sha256)
      throw new SyncError(
        'bad-model',
        `Model version ${version} arrived damaged (hash mismatch); it will be downloaded again.`,
        true,
      );
    storeGlobalModel(this.db, version, weights, this.now());
    return weights;
  }

  /**
   * Downloads the current version when new. Its accuracy on this bakery's days is not sent: a
   * per-shop figure in the clear would tell the coordinator how this bakery sells.
   */
  private async fetchCurrentModel(
    http: CoordinatorHttp,
    currentVersion: number | null,
  ): Promise<void> {
    if (currentVersion === null) return;
    if (!loadGlobalModel(this.db, currentVersion)) {
      const model = (
        await http.send('GET', '/v1/models/current', null, modelResponse, {
          kind: 'model',
          roundId: null,
          details: { version: currentVersion },
        })
      ).body!;
      this.verifyAndStore(model.version, model.weights, model.sha256);
      currentVersion = model.version;
    }
    updateSyncState(this.db, { modelVersion: currentVersion });
  }

  /**
   * The one training path of both round modes: trains from the round's global model on this
   * bakery's logs and returns local − global (unclipped; each mode clips its own way).
   */
  private async localUpdate(
    http: CoordinatorHttp,
    round: RoundView,
  ): Promise<{ delta: Float32Array; sampleCount: number }> {
    const global = await this.modelVersion(http, round.modelVersion);
    const { settings } = round;
    const trained = await this.options.trainer.train({
      initialWeights: global,
      epochs: settings.localEpochs,
      learningRate: settings.learningRate,
      batchSize: settings.batchSize,
      seed: round.id,
    });
    if (trained.weights.length !== global.length)
      throw new Error('the local model does not match the global model size');
    const delta = new Float32Array(global.length);
    for (let i = 0; i < delta.length; i++) delta[i] = trained.weights[i]! - global[i]!;
    return { delta, sampleCount: trained.sampleCount };
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
        computeUpdate: (r) => this.localUpdate(http, r),
      },
      round,
    );
  }

  /** Trains and queues this shop's update when the round collects plain updates and has none from us. */
  private async participate(
    http: CoordinatorHttp,
    current: CurrentRoundResponse,
  ): Promise<boolean> {
    const round: RoundView | null = current.round;
    if (!round || round.phase !== 'collect' || round.settings.mode !== 'plain' || current.uploaded)
      return false;
    const key = `update:${round.id}`;
    if (hasPending(this.db, key)) return false;
    // The policy decides before the first message for the round: a refused round gets none.
    if (admitBySettings(this.db, this.now(), http.baseUrl, round)) return false;
    await http.send('POST', `/v1/rounds/${round.id}/checkin`, '{}', checkinResponse, {
      kind: 'checkin',
      roundId: round.id,
    });
    const { settings } = round;
    const trained = await this.localUpdate(http, round);
    const delta = trained.delta;
    const { clipped, norm } = clipUpdate(delta, settings.clipNorm);
    const encoded = encodeFloat32(clipped);
    const body = JSON.stringify({
      modelVersion: round.modelVersion,
      parameterCount: clipped.length,
      sampleCount: Math.max(1, trained.sampleCount),
      encoding: 'f32le-base64',
      delta: encoded,
      sha256: sha256Hex(Buffer.from(encoded, 'base64')),
    });
    enqueue(
      this.db,
      {
        kind: 'update',
        roundId: round.id,
        idempotencyKey: key,
        path: `/v1/rounds/${round.id}/update`,
        body,
        meta: {
          kind: 'update',
          roundId: round.id,
          details: {
            mode: 'plain',
            parameters: clipped.length,
            sampleCount: trained.sampleCount,
            normBeforeClip: norm,
            clipNorm: settings.clipNorm,
          },
          // Plain rounds add no noise on the shop: charged as a round without noise.
          charge: {
            roundKey: roundKey(http.baseUrl, round),
            roundId: round.id,
            mode: 'plain',
            noiseMultiplier: 0,
            clipNorm: settings.clipNorm,
          },
        },
      },
      this.now(),
    );
    return true;
  }
}

const answerSchemas = {
  update: updateResponse,
  refusal: refusalAck,
} as const;

const activityKey = 'sync.roundActivity';

function saveRoundActivity(db: Db, step: SecureStep | null): void {
  if (
    !step ||
    step.action === 'finished' ||
    step.action === 'not-taking-part' ||
    step.action === 'refused'
  ) {
    db.prepare('DELETE FROM settings WHERE key = ?').run(activityKey);
    return;
  }
  db.prepare(
    'INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value',
  ).run(activityKey, JSON.stringify(step.message));
}

function roundActivity(db: Db): string | null {
  const row = db
    .prepare<[string], { value: string }>('SELECT value FROM settings WHERE key = ?')
    .get(activityKey);
  return row ? (JSON.parse(row.value) as string) : null;
}
