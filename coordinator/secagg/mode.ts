import { finishAggregate, type Aggregate } from '../../federated/privacy/contribution.ts';
import {
  closePhase,
  compactServerState,
  createServerRound,
  ed25519RawFromSpki,
  recoveredSum,
  type ServerState,
} from '../../federated/secagg/index.ts';
import { roundPrivacySettings, secureVectorLength } from '../../federated/secagg/wire.ts';
import { loadCoordinatorSettings, saveCoordinatorSettings } from '../store/settings.ts';
import { budgetRefusal } from '../privacy/budget.ts';
import { refusedShops } from '../store/privacy.ts';
import { getModel } from '../store/models.ts';
import { audit } from '../store/database.ts';
import { markDropped as markShopDropped } from '../store/rounds.ts';
import type { Sql } from '../store/sql.ts';
import type { PhaseContext, PhaseHandler, RoundMode } from '../rounds/phases.ts';
import { loadSecAggState, paramsFor, saveSecAggState } from './state.ts';

/** Enrolled, non-revoked shops with their identity key as raw Ed25519 (what adverts are signed with). */
async function identities(sql: Sql): Promise<Record<string, string>> {
  const rows = await sql.all<{ shop_id: string; public_key: string }>(
    `SELECT c.shop_id, c.public_key FROM credentials c JOIN shops s ON s.id = c.shop_id
     WHERE c.revoked_at IS NULL AND s.revoked_at IS NULL ORDER BY c.created_at`,
  );
  const out: Record<string, string> = {};
  for (const row of rows) out[row.shop_id] = ed25519RawFromSpki(row.public_key);
  return out;
}

function state(ctx: PhaseContext): ServerState {
  const found = loadSecAggState(ctx.round);
  if (!found) throw new Error(`round ${ctx.round.id} has no secure-aggregation state`);
  return found;
}

async function markDropped(
  ctx: PhaseContext,
  expected: string[],
  present: string[],
  phase: string,
): Promise<void> {
  const gone = expected.filter((id) => !present.includes(id));
  for (const id of gone) await markShopDropped(ctx.db, ctx.round.id, id, phase);
}

/**
 * The operator's total privacy budget, checked again as advertising closes, before any update is
 * computed (the budget or the rounds charged may have changed since the round opened).
 */
async function budgetStop(ctx: PhaseContext): Promise<string | null> {
  return budgetRefusal(ctx.db, ctx.settings, (await loadCoordinatorSettings(ctx.db)).privacy);
}

/**
 * Adaptive clipping: the next round starts from the clip norm this round's noised clip bits
 * point to. Runs inside the publishing transaction, so a round that fails to publish moves
 * nothing. The round keeps its own C in its stored settings; the audit log keeps old → new.
 */
async function moveClipNorm(ctx: PhaseContext, aggregate: Aggregate): Promise<void> {
  const from = ctx.settings.clipNorm;
  // The schema's bounds: a wildly noised fraction must not store a C the settings would refuse.
  const to = Math.min(1e6, Math.max(1e-9, aggregate.nextClipNorm!));
  const current = await loadCoordinatorSettings(ctx.db);
  await saveCoordinatorSettings(ctx.db, { ...current, round: { ...current.round, clipNorm: to } });
  await audit(
    ctx.db,
    'system',
    'round.clip-norm',
    { round: ctx.round.id, from, to, unclippedFraction: aggregate.unclippedFraction },
    ctx.now,
  );
}

/** Closes a SecAgg collection phase at its deadline (or when complete); below threshold the round fails. */
function closing(phase: 'advertise' | 'share' | 'collect'): PhaseHandler['onDeadline'] {
  return async (ctx) => {
    const refusal = phase === 'advertise' ? await budgetStop(ctx) : null;
    if (refusal) return { ok: false, reason: refusal };
    const before = state(ctx);
    const after = closePhase(before);
    if (phase === 'share')
      await markDropped(
        ctx,
        (before.roster ?? []).map((e) => e.shopId),
        Object.keys(before.shareMessages),
        'share',
      );
    if (phase === 'collect')
      await markDropped(ctx, before.sharers ?? [], Object.keys(before.maskedInputs), 'collect');
    await saveSecAggState(ctx.db, ctx.round.id, compactServerState(after));
    if (after.phase === 'failed')
      return { ok: false, reason: after.failure ?? 'secure aggregation failed' };
    return { ok: true };
  };
}

/**
 * Whether every shop expected in a phase has answered it, or reported that its own privacy
 * policy made it skip the round (it will not answer: waiting for its deadline would be idle).
 */
async function answeredAll(
  ctx: PhaseContext,
  expected: readonly string[],
  answered: readonly string[],
): Promise<boolean> {
  const done = new Set(answered);
  for (const id of await refusedShops(ctx.db, ctx.round.id)) done.add(id);
  return expected.every((id) => done.has(id));
}

/**
 * Secure aggregation (Bonawitz et al. 2017) as a round mode: open → advertise → share →
 * collect (masked uploads) → unmask → aggregating. The coordinator never holds an unmasked
 * update; aggregation averages the recovered sum over the survivors (one vote per shop).
 */
export const secureMode: RoundMode = {
  name: 'secure',
  phases: ['advertise', 'share', 'collect', 'unmask'],
  handlers: {
    advertise: {
      async enter(ctx) {
        const model = (await getModel(ctx.db, ctx.round.model_version))!;
        const enrolled = await identities(ctx.db);
        const params = paramsFor(
          ctx.round,
          ctx.settings,
          model.parameter_count,
          Object.keys(enrolled).length,
        );
        await saveSecAggState(ctx.db, ctx.round.id, createServerRound(params, enrolled));
      },
      async isComplete(ctx) {
        if (await budgetStop(ctx)) return true;
        const s = state(ctx);
        return answeredAll(ctx, Object.keys(s.identities), Object.keys(s.advertisements));
      },
      onDeadline: closing('advertise'),
    },
    share: {
      async isComplete(ctx) {
        const s = state(ctx);
        if (!s.roster) return false;
        return answeredAll(
          ctx,
          s.roster.map((e) => e.shopId),
          Object.keys(s.shareMessages),
        );
      },
      onDeadline: closing('share'),
    },
    collect: {
      async isComplete(ctx) {
        const s = state(ctx);
        if (!s.sharers) return false;
        return answeredAll(ctx, s.sharers, Object.keys(s.maskedInputs));
      },
      onDeadline: closing('collect'),
    },
    unmask: {
      // The sum is rebuilt (asynchronously) by the route that receives the t-th answer.
      async isComplete(ctx) {
        const phase = state(ctx).phase;
        return phase === 'done' || phase === 'failed';
      },
      async onDeadline(ctx) {
        const s = state(ctx);
        if (s.phase === 'done') return { ok: true };
        const answers = Object.keys(s.unmaskMessages).length;
        return {
          ok: false,
          reason:
            s.failure ??
            `only ${answers} shop${answers === 1 ? '' : 's'} helped unmask by the deadline; ${s.params.threshold} needed`,
        };
      },
    },
  },
  aggregator: {
    async aggregate(ctx, global) {
      const s = state(ctx);
      if (s.phase !== 'done') return { ok: false, reason: 'the masked sum was not recovered' };
      const survivors = s.unmaskRequest!.survivors.length;
      if (survivors < ctx.settings.minShops)
        return {
          ok: false,
          reason: `only ${survivors} masked updates, at least ${ctx.settings.minShops} needed`,
        };
      if (s.params.vectorLength !== secureVectorLength(global.length, ctx.settings))
        return { ok: false, reason: 'the masked sum does not match the model size' };
      const aggregate = finishAggregate(
        recoveredSum(s),
        survivors,
        global.length,
        roundPrivacySettings(ctx.settings, s.params),
      );
      if (aggregate.nextClipNorm !== undefined) await moveClipNorm(ctx, aggregate);
      return {
        ok: true,
        averageDelta: aggregate.meanUpdate,
        contributors: survivors,
        totalWeight: survivors,
      };
    },
  },
};
