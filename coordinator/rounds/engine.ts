import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import cron, { type ScheduledTask } from 'node-cron';
import type { Logger } from 'pino';
import {
  applyServerOptimizer,
  emptyOptimizerState,
  parseOptimizerState,
  serializeOptimizerState,
} from '../../federated/aggregation/index.ts';
import {
  roundSettings,
  type RoundPhase,
  type RoundSettings,
} from '../../federated/protocol/index.ts';
import { CoordinatorError } from '../errors.ts';
import { audit } from '../store/database.ts';
import {
  currentModelVersion,
  getModel,
  insertModel,
  modelWeights,
  setCurrentModelVersion,
} from '../store/models.ts';
import {
  activeRound,
  activeRoundPhase,
  claimScheduledRun,
  dropUpdatePayloads,
  getRound,
  insertRound,
  setPhase,
  settingsOf,
  type RoundRow,
} from '../store/rounds.ts';
import { budgetRefusal } from '../privacy/budget.ts';
import { getSetting, loadCoordinatorSettings, putSetting } from '../store/settings.ts';
import type { CoordinatorStore, Sql, Tx } from '../store/sql.ts';
import { phaseSeconds, type PhaseContext, type PhaseOutcome, type RoundMode } from './phases.ts';

// setTimeout cannot wait longer than ~24.8 days; longer deadlines re-arm in steps.
const maxTimer = 2 ** 31 - 1;

export type EngineOptions = {
  store: CoordinatorStore;
  log: Logger;
  now: () => Date;
  modes: RoundMode[];
  /** false: never start rounds from the cron schedule (tests, or operator-only consortia). */
  schedule?: boolean;
  /**
   * How often to look at the running round in the store (ms), for coordinators that share it:
   * another instance may have moved the round, changed the schedule, or died halfway through
   * publishing. null: this process is the only one (the SQLite default).
   */
  watchMs?: number | null;
};

type ArmedRound = Pick<RoundRow, 'id' | 'phase' | 'phase_deadline'>;

/** Looks at the running round (or its absence) on every watch tick; see `addWatcher`. */
export type RoundWatcher = (round: ArmedRound | undefined) => Promise<void>;

export type AdvanceReason = 'deadline' | 'complete' | 'operator';

/**
 * The round state machine. Every transition is written to the store (compare-and-set on the
 * old phase, holding the round's row) before anything else happens, so a coordinator that
 * stops at any moment resumes from the database: `resume()` re-arms the deadline of the active
 * round or finishes its aggregation.
 */
export class RoundEngine {
  private timer: NodeJS.Timeout | null = null;
  private armed = '';
  private cronTask: ScheduledTask | null = null;
  private scheduled: string | null = null;
  private watchTimer: NodeJS.Timeout | null = null;
  private watching: Promise<void> | null = null;
  private readonly watchers: RoundWatcher[] = [];
  private closed = false;
  private readonly modes: Map<string, RoundMode>;
  /** Names this process in the schedule's claims. */
  readonly instance = `${hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`;

  constructor(private readonly options: EngineOptions) {
    this.modes = new Map(options.modes.map((mode) => [mode.name, mode]));
  }

  private get store() {
    return this.options.store;
  }

  async resume(): Promise<void> {
    const round = await activeRound(this.store);
    if (!round) return;
    this.options.log.info({ round: round.id, phase: round.phase }, 'resuming round after start');
    if (round.phase === 'aggregating') await this.publish(round.id);
    else this.arm(round);
  }

  /**
   * Starts the nightly schedule from the stored settings (replacing any previous one). Every
   * coordinator on the store keeps the schedule; for each slot only the one that claims it in
   * the store (a row per slot) starts the round.
   */
  async schedule(): Promise<void> {
    const { schedule } = await loadCoordinatorSettings(this.store);
    // Replaced only after the await, so two calls at once cannot leave two tasks running.
    void this.cronTask?.destroy();
    this.cronTask = null;
    this.scheduled = schedule;
    if (!schedule || this.closed || this.options.schedule === false) return;
    this.cronTask = cron.schedule(
      schedule,
      async () => {
        try {
          if (!(await activeRound(this.store))) await this.startRound('schedule');
        } catch (error) {
          this.options.log.error({ err: error }, 'scheduled round could not start');
        }
      },
      {
        name: 'breadcast-nightly-round',
        distributed: true,
        runCoordinator: {
          shouldRun: (slot) =>
            claimScheduledRun(this.store, slot, this.instance, this.options.now()),
        },
      },
    );
  }

  /** Keeps this coordinator in step with the others on the store (see `watchMs`). */
  startWatching(): void {
    const every = this.options.watchMs;
    if (!every || this.closed || this.watchTimer) return;
    this.watchTimer = setInterval(() => {
      this.watching ??= this.watch()
        .catch((error: unknown) => this.options.log.error({ err: error }, 'round watch failed'))
        .finally(() => (this.watching = null));
    }, every);
    this.watchTimer.unref();
  }

  /** Something else to do on every watch tick (secure aggregation: finish recovering a sum). */
  addWatcher(watcher: RoundWatcher): void {
    this.watchers.push(watcher);
  }

  private async watch(): Promise<void> {
    const round = await activeRoundPhase(this.store);
    if (this.closed) return;
    // Left in `aggregating` by a coordinator that stopped: publishing is idempotent.
    if (round?.phase === 'aggregating') await this.publish(round.id);
    else if (round) this.arm(round);
    else this.disarm();
    for (const watcher of this.watchers) await watcher(round);
    const { schedule } = await loadCoordinatorSettings(this.store);
    if (schedule !== this.scheduled) await this.schedule();
  }

  /** Whether this coordinator starts rounds from the settings' schedule at all. */
  schedulerRunning(): boolean {
    return this.options.schedule !== false && !this.closed;
  }

  nextScheduledRun(): Date | null {
    return this.cronTask?.getNextRun() ?? null;
  }

  close(): void {
    this.closed = true;
    if (this.watchTimer) clearInterval(this.watchTimer);
    this.watchTimer = null;
    this.disarm();
    void this.cronTask?.destroy();
    this.cronTask = null;
  }

  modeOf(settings: RoundSettings): RoundMode {
    const mode = this.modes.get(settings.mode);
    if (!mode)
      throw new CoordinatorError(
        409,
        'mode-unavailable',
        `round mode "${settings.mode}" is not available on this coordinator`,
      );
    return mode;
  }

  async startRound(
    trigger: RoundRow['trigger'],
    overrides: Partial<RoundSettings> = {},
  ): Promise<RoundRow> {
    const now = this.options.now();
    const stored = await loadCoordinatorSettings(this.store);
    const settings = roundSettings.parse({ ...stored.round, ...overrides });
    this.modeOf(settings);
    const round = await this.store.transaction(async (tx) => {
      // Two coordinators starting a round at once: the second waits here, then sees the first.
      await tx.lock('rounds');
      if (await activeRound(tx))
        throw new CoordinatorError(
          409,
          'round-active',
          'a round is already running; wait for it to finish',
        );
      const overBudget = await budgetRefusal(tx, settings, stored.privacy);
      if (overBudget) throw new CoordinatorError(409, 'privacy-budget', overBudget);
      const version = await currentModelVersion(tx);
      if (version === null)
        throw new CoordinatorError(409, 'no-model', 'there is no global model to train from yet');
      const deadline = new Date(now.getTime() + settings.deadlines.openSeconds * 1000);
      const row = await insertRound(
        tx,
        { modelVersion: version, settings, trigger, deadline },
        now,
      );
      await audit(
        tx,
        trigger === 'schedule' ? 'system' : trigger,
        'round.opened',
        { round: row.id, version },
        now,
      );
      return row;
    });
    this.options.log.info({ round: round.id, model: round.model_version }, 'round opened');
    if (settings.deadlines.openSeconds === 0) await this.advance(round.id, 'deadline', 'open');
    else this.arm(round);
    return (await getRound(this.store, round.id))!;
  }

  /** Called after every accepted shop request in a phase: ends the phase early when its handler says so. */
  async afterRequest(roundId: number): Promise<void> {
    const round = await getRound(this.store, roundId);
    if (!round) return;
    const handler = this.modeOf(settingsOf(round)).handlers[round.phase];
    if (await handler?.isComplete?.(this.context(this.store, round)))
      await this.advance(roundId, 'complete', round.phase);
  }

  /**
   * Deadline reached, phase complete, or the operator closed it: move on or fail. `from` makes
   * it a compare-and-set: when the round has already left that phase (another timer, request or
   * coordinator moved it), nothing happens.
   */
  async advance(roundId: number, reason: AdvanceReason, from?: RoundPhase): Promise<RoundRow> {
    const now = this.options.now();
    const result = await this.store.transaction(async (tx) => {
      const round = await getRound(tx, roundId, 'update');
      if (
        !round ||
        (from !== undefined && round.phase !== from) ||
        round.phase === 'published' ||
        round.phase === 'failed' ||
        round.phase === 'aggregating'
      )
        return round;
      const settings = settingsOf(round);
      const mode = this.modeOf(settings);
      const sequence: RoundPhase[] = ['open', ...mode.phases, 'aggregating'];
      const ctx = this.context(tx, round, now);
      const outcome: PhaseOutcome =
        round.phase === 'open'
          ? { ok: true }
          : ((await mode.handlers[round.phase]?.onDeadline(ctx)) ?? { ok: true });
      if (!outcome.ok) {
        await this.fail(tx, round, outcome.reason, now);
        return getRound(tx, round.id);
      }
      const next = outcome.next ?? sequence[sequence.indexOf(round.phase) + 1] ?? 'aggregating';
      const seconds = phaseSeconds(settings, next);
      const deadline = seconds === null ? null : new Date(now.getTime() + seconds * 1000);
      await setPhase(tx, round.id, round.phase, next, { deadline }, now);
      const moved = (await getRound(tx, round.id))!;
      await mode.handlers[next]?.enter?.(this.context(tx, moved, now));
      await audit(
        tx,
        'system',
        'round.phase',
        { round: round.id, from: round.phase, to: next, reason },
        now,
      );
      return moved;
    });
    if (!result) throw new CoordinatorError(404, 'no-round', `round ${roundId} does not exist`);
    this.options.log.info({ round: result.id, phase: result.phase, reason }, 'round phase changed');
    if (result.phase === 'aggregating') return this.publish(result.id);
    if (result.phase === 'failed' || result.phase === 'published') this.disarm();
    else this.arm(result);
    return result;
  }

  /** Operator rollback: the chosen version becomes current; a round training from another version fails. */
  async rollback(version: number, actor: string): Promise<void> {
    const now = this.options.now();
    await this.store.transaction(async (tx) => {
      if (!(await getModel(tx, version)))
        throw new CoordinatorError(404, 'no-model', `model version ${version} does not exist`);
      await tx.lock('models');
      await setCurrentModelVersion(tx, version);
      const round = await activeRound(tx);
      if (round && round.model_version !== version)
        await setPhase(
          tx,
          round.id,
          round.phase,
          'failed',
          { deadline: null, failureReason: `operator rolled back to version ${version}` },
          now,
        );
      await audit(tx, actor, 'model.rollback', { version }, now);
    });
    if (!(await activeRound(this.store))) this.disarm();
  }

  private async fail(tx: Tx, round: RoundRow, reason: string, now: Date): Promise<void> {
    await setPhase(
      tx,
      round.id,
      round.phase,
      'failed',
      { deadline: null, failureReason: reason },
      now,
    );
    await audit(tx, 'system', 'round.failed', { round: round.id, phase: round.phase, reason }, now);
  }

  /** Aggregates and publishes, once: the round's row is held, and only `aggregating` goes on. */
  private async publish(roundId: number): Promise<RoundRow> {
    const now = this.options.now();
    const round = await this.store.transaction(async (tx) => {
      const round = (await getRound(tx, roundId, 'update'))!;
      if (round.phase !== 'aggregating') return round;
      const settings = settingsOf(round);
      const ctx = this.context(tx, round, now);
      const base = (await getModel(tx, round.model_version))!;
      const global = modelWeights(base);
      const result = await this.modeOf(settings).aggregator.aggregate(ctx, global);
      if (!result.ok) {
        await this.fail(tx, round, result.reason, now);
        return (await getRound(tx, round.id))!;
      }
      const stored = await getSetting<{ version: number; state: string }>(tx, 'optimizer_state');
      const previous =
        stored && stored.version === round.model_version
          ? parseOptimizerState(stored.state)
          : emptyOptimizerState(settings.serverOptimizer.kind);
      const { weights, state } = applyServerOptimizer(
        global,
        result.averageDelta,
        settings.serverOptimizer,
        previous,
      );
      const model = await insertModel(
        tx,
        { weights, roundId: round.id, parentVersion: round.model_version, settings },
        now,
      );
      await putSetting(tx, 'optimizer_state', {
        version: model.version,
        state: serializeOptimizerState(state),
      });
      await setCurrentModelVersion(tx, model.version);
      await setPhase(
        tx,
        round.id,
        'aggregating',
        'published',
        { deadline: null, resultVersion: model.version },
        now,
      );
      await dropUpdatePayloads(tx, round.id);
      await audit(
        tx,
        'system',
        'round.published',
        { round: round.id, version: model.version, contributors: result.contributors },
        now,
      );
      return (await getRound(tx, round.id))!;
    });
    this.options.log.info(
      { round: round.id, phase: round.phase, version: round.result_version },
      'round finished',
    );
    this.disarm();
    return round;
  }

  private context(db: Sql, round: RoundRow, now = this.options.now()): PhaseContext {
    return { db, log: this.options.log, now, round, settings: settingsOf(round) };
  }

  private disarm(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.armed = '';
  }

  /** Waits for the round's deadline (again only if the phase or deadline changed). */
  private arm(round: ArmedRound): void {
    const key = `${round.id}:${round.phase}:${round.phase_deadline}`;
    if (this.timer && key === this.armed) return;
    this.disarm();
    if (this.closed || !round.phase_deadline) return;
    this.armed = key;
    const wait = Date.parse(round.phase_deadline) - this.options.now().getTime();
    this.timer = setTimeout(
      () => {
        this.timer = null;
        this.onDeadline(round).catch((error: unknown) =>
          this.options.log.error({ err: error, round: round.id }, 'deadline handling failed'),
        );
      },
      Math.min(Math.max(wait, 0), maxTimer),
    );
    this.timer.unref();
  }

  private async onDeadline(armed: ArmedRound): Promise<void> {
    if (this.closed) return;
    const fresh = await getRound(this.store, armed.id);
    if (!fresh || fresh.phase !== armed.phase) return;
    if (Date.parse(fresh.phase_deadline ?? '') > this.options.now().getTime())
      return this.arm(fresh);
    await this.advance(armed.id, 'deadline', armed.phase);
  }
}
