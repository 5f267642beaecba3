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
import { audit, type Db } from '../store/database.ts';
import {
  currentModelVersion,
  getModel,
  insertModel,
  modelWeights,
  setCurrentModelVersion,
} from '../store/models.ts';
import {
  activeRound,
  dropUpdatePayloads,
  getRound,
  insertRound,
  setPhase,
  settingsOf,
  type RoundRow,
} from '../store/rounds.ts';
import { getSetting, loadCoordinatorSettings, putSetting } from '../store/settings.ts';
import { phaseSeconds, type PhaseContext, type PhaseOutcome, type RoundMode } from './phases.ts';

// setTimeout cannot wait longer than ~24.8 days; longer deadlines re-arm in steps.
const maxTimer = 2 ** 31 - 1;

export type EngineOptions = {
  db: Db;
  log: Logger;
  now: () => Date;
  modes: RoundMode[];
  /** false: never start rounds from the cron schedule (tests, or operator-only consortia). */
  schedule?: boolean;
};

/**
 * The round state machine. Every transition is written to SQLite (compare-and-set on the old
 * phase) before anything else happens, so a coordinator that stops at any moment resumes
 * from the database: `resume()` re-arms the deadline of the active round or finishes its
 * aggregation.
 */
export class RoundEngine {
  private timer: NodeJS.Timeout | null = null;
  private cronTask: ScheduledTask | null = null;
  private closed = false;
  private readonly modes: Map<string, RoundMode>;

  constructor(private readonly options: EngineOptions) {
    this.modes = new Map(options.modes.map((mode) => [mode.name, mode]));
  }

  private get db() {
    return this.options.db;
  }

  resume(): void {
    const round = activeRound(this.db);
    if (!round) return;
    this.options.log.info({ round: round.id, phase: round.phase }, 'resuming round after start');
    if (round.phase === 'aggregating') this.publish(round.id);
    else this.arm(round);
  }

  /** Starts the nightly schedule from the stored settings (replacing any previous one). */
  schedule(): void {
    this.cronTask?.destroy();
    this.cronTask = null;
    const { schedule } = loadCoordinatorSettings(this.db);
    if (!schedule || this.closed || this.options.schedule === false) return;
    this.cronTask = cron.schedule(schedule, () => {
      try {
        if (!activeRound(this.db)) this.startRound('schedule');
      } catch (error) {
        this.options.log.error({ err: error }, 'scheduled round could not start');
      }
    });
  }

  nextScheduledRun(): Date | null {
    return this.cronTask?.getNextRun() ?? null;
  }

  close(): void {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.cronTask?.destroy();
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

  startRound(trigger: RoundRow['trigger'], overrides: Partial<RoundSettings> = {}): RoundRow {
    const now = this.options.now();
    const stored = loadCoordinatorSettings(this.db).round;
    const settings = roundSettings.parse({ ...stored, ...overrides });
    this.modeOf(settings);
    const round = this.db.transaction(() => {
      if (activeRound(this.db))
        throw new CoordinatorError(
          409,
          'round-active',
          'a round is already running; wait for it to finish',
        );
      const version = currentModelVersion(this.db);
      if (version === null)
        throw new CoordinatorError(409, 'no-model', 'there is no global model to train from yet');
      const row = insertRound(this.db, { modelVersion: version, settings, trigger }, now);
      this.db
        .prepare('UPDATE rounds SET phase_deadline = ? WHERE id = ?')
        .run(new Date(now.getTime() + settings.deadlines.openSeconds * 1000).toISOString(), row.id);
      audit(
        this.db,
        trigger === 'schedule' ? 'system' : trigger,
        'round.opened',
        { round: row.id, version },
        now,
      );
      return getRound(this.db, row.id)!;
    })();
    this.options.log.info({ round: round.id, model: round.model_version }, 'round opened');
    if (settings.deadlines.openSeconds === 0) this.advance(round.id, 'deadline');
    else this.arm(round);
    return getRound(this.db, round.id)!;
  }

  /** Called after every accepted shop request in a phase: ends the phase early when its handler says so. */
  afterRequest(roundId: number): void {
    const round = getRound(this.db, roundId);
    if (!round) return;
    const settings = settingsOf(round);
    const handler = this.modeOf(settings).handlers[round.phase];
    if (handler?.isComplete?.(this.context(round))) this.advance(roundId, 'complete');
  }

  /** Deadline reached, phase complete, or the operator closed it: move on or fail. */
  advance(roundId: number, reason: 'deadline' | 'complete' | 'operator'): RoundRow {
    const now = this.options.now();
    const result = this.db.transaction(() => {
      const round = getRound(this.db, roundId);
      if (
        !round ||
        round.phase === 'published' ||
        round.phase === 'failed' ||
        round.phase === 'aggregating'
      )
        return round;
      const settings = settingsOf(round);
      const mode = this.modeOf(settings);
      const sequence: RoundPhase[] = ['open', ...mode.phases, 'aggregating'];
      const ctx = this.context(round, now);
      const outcome: PhaseOutcome =
        round.phase === 'open'
          ? { ok: true }
          : (mode.handlers[round.phase]?.onDeadline(ctx) ?? { ok: true });
      if (!outcome.ok) {
        setPhase(
          this.db,
          round.id,
          round.phase,
          'failed',
          { deadline: null, failureReason: outcome.reason },
          now,
        );
        audit(
          this.db,
          'system',
          'round.failed',
          { round: round.id, phase: round.phase, reason: outcome.reason },
          now,
        );
        return getRound(this.db, round.id);
      }
      const next = outcome.next ?? sequence[sequence.indexOf(round.phase) + 1] ?? 'aggregating';
      const seconds = phaseSeconds(settings, next);
      const deadline = seconds === null ? null : new Date(now.getTime() + seconds * 1000);
      setPhase(this.db, round.id, round.phase, next, { deadline }, now);
      const moved = getRound(this.db, round.id)!;
      mode.handlers[next]?.enter?.(this.context(moved, now));
      audit(
        this.db,
        'system',
        'round.phase',
        { round: round.id, from: round.phase, to: next, reason },
        now,
      );
      return moved;
    })();
    if (!result) throw new CoordinatorError(404, 'no-round', `round ${roundId} does not exist`);
    this.options.log.info({ round: result.id, phase: result.phase, reason }, 'round phase changed');
    if (result.phase === 'aggregating') return this.publish(result.id);
    if (result.phase === 'failed' || result.phase === 'published') this.disarm();
    else this.arm(result);
    return result;
  }

  /** Operator rollback: the chosen version becomes current; a round training from another version fails. */
  rollback(version: number, actor: string): void {
    const now = this.options.now();
    this.db.transaction(() => {
      if (!getModel(this.db, version))
        throw new CoordinatorError(404, 'no-model', `model version ${version} does not exist`);
      setCurrentModelVersion(this.db, version);
      const round = activeRound(this.db);
      if (round && round.model_version !== version) {
        setPhase(
          this.db,
          round.id,
          round.phase,
          'failed',
          { deadline: null, failureReason: `operator rolled back to version ${version}` },
          now,
        );
      }
      audit(this.db, actor, 'model.rollback', { version }, now);
    })();
    if (!activeRound(this.db)) this.disarm();
  }

  private publish(roundId: number): RoundRow {
    const now = this.options.now();
    const round = this.db.transaction(() => {
      const round = getRound(this.db, roundId)!;
      if (round.phase !== 'aggregating') return round;
      const settings = settingsOf(round);
      const ctx = this.context(round, now);
      const base = getModel(this.db, round.model_version)!;
      const global = modelWeights(base);
      const result = this.modeOf(settings).aggregator.aggregate(ctx, global);
      if (!result.ok) {
        setPhase(
          this.db,
          round.id,
          'aggregating',
          'failed',
          { deadline: null, failureReason: result.reason },
          now,
        );
        audit(this.db, 'system', 'round.failed', { round: round.id, reason: result.reason }, now);
        return getRound(this.db, round.id)!;
      }
      const stored = getSetting<{ version: number; state: string }>(this.db, 'optimizer_state');
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
      const model = insertModel(
        this.db,
        { weights, roundId: round.id, parentVersion: round.model_version, settings },
        now,
      );
      putSetting(this.db, 'optimizer_state', {
        version: model.version,
        state: serializeOptimizerState(state),
      });
      setCurrentModelVersion(this.db, model.version);
      setPhase(
        this.db,
        round.id,
        'aggregating',
        'published',
        { deadline: null, resultVersion: model.version },
        now,
      );
      dropUpdatePayloads(this.db, round.id);
      audit(
        this.db,
        'system',
        'round.published',
        { round: round.id, version: model.version, contributors: result.contributors },
        now,
      );
      return getRound(this.db, round.id)!;
    })();
    this.options.log.info(
      { round: round.id, phase: round.phase, version: round.result_version },
      'round finished',
    );
    this.disarm();
    return round;
  }

  private context(round: RoundRow, now = this.options.now()): PhaseContext {
    return { db: this.db, log: this.options.log, now, round, settings: settingsOf(round) };
  }

  private disarm(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  private arm(round: RoundRow): void {
    this.disarm();
    if (this.closed || !round.phase_deadline) return;
    const wait = Date.parse(round.phase_deadline) - this.options.now().getTime();
    this.timer = setTimeout(
      () => {
        this.timer = null;
        const fresh = getRound(this.db, round.id);
        if (!fresh || fresh.phase !== round.phase) return;
        if (Date.parse(fresh.phase_deadline ?? '') > this.options.now().getTime())
          return this.arm(fresh);
        try {
          this.advance(round.id, 'deadline');
        } catch (error) {
          this.options.log.error({ err: error, round: round.id }, 'deadline handling failed');
        }
      },
      Math.min(Math.max(wait, 0), maxTimer),
    );
    this.timer.unref();
  }
}
