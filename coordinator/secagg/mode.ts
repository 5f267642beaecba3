import { checkSumBound } from '../../federated/privacy/sum-bound.ts';
import { decodeAggregate, type DecodedAggregate } from '../../federated/privacy/contribution.ts';
import { wordsFromBase64 } from '../../federated/secagg/bytes.ts';
import {
  closeAdvertise,
  closeCollect,
  closeShare,
  createRound,
  droppedSoFar,
  excludeShop,
} from '../../federated/secagg/coordinator-round.ts';
import { closeConfirm } from '../../federated/secagg/coordinator-unmask.ts';
import { contributionPlanOf } from '../../federated/secagg/round-http.ts';
import type { AdvertisementMessage, Confirmation } from '../../federated/secagg/round-types.ts';
import { loadCoordinatorSettings, saveCoordinatorSettings } from '../store/settings.ts';
import { budgetRefusal } from '../privacy/budget.ts';
import { getModel } from '../store/models.ts';
import { audit } from '../store/database.ts';
import { markDropped } from '../store/rounds.ts';
import { messageSenders, messagesOf, metaOf } from '../store/secagg.ts';
import type { PhaseContext, PhaseHandler, PhaseOutcome, RoundMode } from '../rounds/phases.ts';
import { answeredAll } from './answered.ts';
import { roundData } from './round-data.ts';
import { recoverHeader, storeRecovery } from './recovery.ts';
import {
  derivedSet,
  enrolledIdentities,
  loadHeader,
  membersOf,
  paramsFor,
  revokedShops,
  saveHeader,
  type SecureHeader,
} from './state.ts';

async function header(ctx: PhaseContext): Promise<SecureHeader> {
  const found = await loadHeader(ctx.db, ctx.round);
  if (!found) throw new Error(`round ${ctx.round.id} has no secure-aggregation state`);
  return found;
}

/**
 * The operator's total privacy budget, checked again as advertising closes, before any update is
 * computed (the budget or the rounds charged may have changed since the round opened).
 */
async function budgetStop(ctx: PhaseContext): Promise<string | null> {
  return budgetRefusal(ctx.db, ctx.settings, (await loadCoordinatorSettings(ctx.db)).privacy);
}

/** A shop revoked mid-round is a dropout, up to the moment the survivor set is fixed. */
async function withoutRevoked(ctx: PhaseContext, round: SecureHeader): Promise<SecureHeader> {
  let next = round;
  for (const id of await revokedShops(ctx.db, Object.keys(round.identities)))
    next = excludeShop(next, id, 'revoked').round as SecureHeader;
  return next;
}

async function dropMissing(ctx: PhaseContext, expected: string[], kept: string[], phase: string) {
  const present = new Set(kept);
  for (const id of expected)
    if (!present.has(id)) await markDropped(ctx.db, ctx.round.id, id, phase);
}

async function closed(ctx: PhaseContext, next: SecureHeader): Promise<PhaseOutcome> {
  await saveHeader(ctx.db, ctx.round.id, next);
  if (next.phase === 'failed')
    return { ok: false, reason: next.failure?.message ?? 'secure aggregation failed' };
  return { ok: true };
}

const bodies = async <T>(ctx: PhaseContext, kind: 'advertise' | 'confirm'): Promise<T[]> =>
  (await messagesOf(ctx.db, ctx.round.id, kind)).map(
    (r) => JSON.parse(r.body!.toString('utf8')) as T,
  );

const advertise: PhaseHandler = {
  async enter(ctx) {
    const model = (await getModel(ctx.db, ctx.round.model_version))!;
    const enrolled = await enrolledIdentities(ctx.db);
    const params = paramsFor(
      ctx.round,
      ctx.settings,
      model.parameter_count,
      Object.keys(enrolled).length,
    );
    await saveHeader(ctx.db, ctx.round.id, createRound(params, enrolled));
  },
  async isComplete(ctx) {
    if (await budgetStop(ctx)) return true;
    const h = await header(ctx);
    return answeredAll(ctx.db, ctx.round.id, 'advertise', membersOf(h).identities, true);
  },
  async onDeadline(ctx) {
    const refusal = await budgetStop(ctx);
    if (refusal) return { ok: false, reason: refusal };
    const h = await withoutRevoked(ctx, await header(ctx));
    const adverts = await bodies<AdvertisementMessage>(ctx, 'advertise');
    return closed(ctx, closeAdvertise(h, adverts) as SecureHeader);
  },
};

const share: PhaseHandler = {
  async isComplete(ctx) {
    const h = await header(ctx);
    if (!h.roster) return false;
    const expected = derivedSet(h, 'share', () =>
      h.roster!.map((e) => e.shopId).filter((id) => !h.excluded[id]),
    );
    return answeredAll(ctx.db, ctx.round.id, 'shares', expected, true);
  },
  async onDeadline(ctx) {
    const h = await withoutRevoked(ctx, await header(ctx));
    const next = closeShare(h, await messageSenders(ctx.db, ctx.round.id, 'shares'));
    const roster = (h.roster ?? []).map((e) => e.shopId);
    await dropMissing(ctx, roster, next.sharers ?? [], 'share');
    return closed(ctx, next as SecureHeader);
  },
};

const collect: PhaseHandler = {
  async isComplete(ctx) {
    const h = await header(ctx);
    if (!h.sharers) return false;
    const expected = derivedSet(h, 'collect', () => {
      const gone = new Set(droppedSoFar(h));
      return h.sharers!.filter((id) => !gone.has(id));
    });
    return answeredAll(ctx.db, ctx.round.id, 'masked', expected, true);
  },
  async onDeadline(ctx) {
    const h = await withoutRevoked(ctx, await header(ctx));
    const { graph } = await roundData(ctx.db, ctx.round.id, h);
    const uploads = (await metaOf(ctx.db, ctx.round.id, 'masked')).map((r) => ({
      shopId: r.shop_id,
      maskedWith: (JSON.parse(r.meta ?? '{}') as { maskedWith?: string[] }).maskedWith ?? [],
    }));
    const next = closeCollect(h, graph, uploads) as SecureHeader;
    await dropMissing(ctx, h.sharers ?? [], next.survivors ?? [], 'collect');
    return closed(ctx, next);
  },
};

const confirm: PhaseHandler = {
  async isComplete(ctx) {
    const h = await header(ctx);
    if (!h.survivors) return false;
    return answeredAll(ctx.db, ctx.round.id, 'confirm', membersOf(h).survivors, true);
  },
  async onDeadline(ctx) {
    const h = await header(ctx);
    const next = closeConfirm(h, await bodies<Confirmation>(ctx, 'confirm')) as SecureHeader;
    await dropMissing(
      ctx,
      h.survivors ?? [],
      (next.confirmations ?? []).map((c) => c.shopId),
      'confirm',
    );
    return closed(ctx, next);
  },
};

const unmask: PhaseHandler = {
  // The sum is rebuilt by the route that receives the last signer's answer (recovery.ts).
  async isComplete(ctx) {
    const phase = (await header(ctx)).phase;
    return phase === 'done' || phase === 'failed';
  },
  async onDeadline(ctx) {
    let h = await header(ctx);
    if (h.phase === 'unmask') {
      // Whoever answered by now: the sum may still be rebuilt from them.
      h = await recoverHeader(ctx.db, ctx.round.id, h);
      await storeRecovery(ctx.db, ctx.round.id, h, ctx.now);
    }
    if (h.phase === 'done') return { ok: true };
    return { ok: false, reason: h.failure?.message ?? 'the masked sum was not recovered' };
  },
};

/**
 * Adaptive clipping: the next round starts from the clip norm this round's noised clip bits
 * point to. Runs inside the publishing transaction, so a round that fails to publish moves
 * nothing. The round keeps its own C in its stored settings; the audit log keeps old → new.
 */
async function moveClipNorm(ctx: PhaseContext, aggregate: DecodedAggregate): Promise<void> {
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

/**
 * The consortium's evaluation figures of the model the round trained from, from the masked
 * coordinates: only their noised totals exist anywhere (no shop's own figure is ever seen).
 */
async function recordFigures(ctx: PhaseContext, metrics: DecodedAggregate['metrics']) {
  if (!metrics) return;
  // Whole reports (the column is a count); the means keep their decoded values.
  const reports = Math.max(1, Math.round(metrics.reporting.value));
  await ctx.db.run(
    `INSERT INTO model_metrics (version, reports, n, pinball_sum, wape_sum) VALUES (?, ?, ?, ?, ?)
     ON CONFLICT (version) DO NOTHING`,
    [
      ctx.round.model_version,
      reports,
      reports,
      metrics.pinball.value * reports,
      metrics.wape.value * reports,
    ],
  );
}

/**
 * Secure aggregation (Bonawitz et al. 2017, the malicious-server protocol; SecAgg+ graphs from
 * Bell et al. 2020) as a round mode: open → advertise → share → collect (masked uploads) →
 * confirm (survivors sign the survivor set) → unmask → aggregating. The coordinator never holds
 * an unmasked update; it decodes the recovered sum with the round's contribution plan (sample
 * weights and evaluation figures ride as masked coordinates) after checking that its norm is one
 * honest bakeries could have produced.
 */
export const secureMode: RoundMode = {
  name: 'secure',
  phases: ['advertise', 'share', 'collect', 'confirm', 'unmask'],
  handlers: { advertise, share, collect, confirm, unmask },
  aggregator: {
    async aggregate(ctx, global) {
      const h = await header(ctx);
      if (h.phase !== 'done' || !h.sum || !h.survivors || !h.config)
        return { ok: false, reason: 'the masked sum was not recovered' };
      const m = h.survivors.length;
      const needed = Math.max(ctx.settings.minShops, ctx.settings.secaggThreshold ?? 0);
      if (m < needed)
        return { ok: false, reason: `only ${m} masked updates, at least ${needed} needed` };
      const plan = contributionPlanOf(ctx.settings, global.length, h.config, h.params.modulusBits);
      if (plan.length !== h.params.vectorLength)
        return { ok: false, reason: 'the masked sum does not match the model size' };
      const sum = wordsFromBase64(h.sum, plan.length);
      const check = checkSumBound(plan, sum, m);
      const outcome = { sumNorm: check.norm, sumBound: check.bound };
      if (!check.ok) {
        await saveHeader(ctx.db, ctx.round.id, {
          ...h,
          outcome: { ...outcome, totalWeight: 0, totalWeightNoiseStd: 0, metrics: null },
        });
        return {
          ok: false,
          reason: `the unmasked sum is larger than honest bakeries could have sent (norm ${check.norm.toFixed(0)}, bound ${check.bound.toFixed(0)}): a shop sent a value outside its clip`,
        };
      }
      const aggregate = decodeAggregate(plan, sum, m);
      await saveHeader(ctx.db, ctx.round.id, {
        ...h,
        outcome: {
          ...outcome,
          totalWeight: aggregate.totalWeight,
          totalWeightNoiseStd: aggregate.totalWeightNoiseStd,
          metrics: aggregate.metrics,
        },
      });
      await recordFigures(ctx, aggregate.metrics);
      if (aggregate.nextClipNorm !== undefined) await moveClipNorm(ctx, aggregate);
      return {
        ok: true,
        averageDelta: aggregate.meanUpdate,
        contributors: m,
        totalWeight: aggregate.totalWeight,
      };
    },
  },
};
