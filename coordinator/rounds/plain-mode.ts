import { weightedAverage } from '../../federated/aggregation/index.ts';
import { float32FromBytes } from '../../federated/protocol/index.ts';
import { activeShopCount, getShop } from '../store/shops.ts';
import { participationOf, updatesOf } from '../store/rounds.ts';
import type { PhaseContext, RoundMode } from './phases.ts';

/**
 * Plain (clipped, unmasked) federated averaging: shops upload their clipped update during
 * `collect`; the coordinator averages them weighted by capped sample counts.
 */
export const plainMode: RoundMode = {
  name: 'plain',
  phases: ['collect'],
  handlers: {
    collect: {
      isComplete(ctx: PhaseContext) {
        const { uploads } = participationOf(ctx.db, ctx.round.id);
        return uploads >= Math.max(ctx.settings.minShops, activeShopCount(ctx.db));
      },
      onDeadline(ctx: PhaseContext) {
        // Checked in but never uploaded: a dropout, shown as such on the dashboard.
        ctx.db
          .prepare(
            "UPDATE round_participants SET dropped_in = 'collect' WHERE round_id = ? AND uploaded_at IS NULL AND dropped_in IS NULL",
          )
          .run(ctx.round.id);
        const { uploads } = participationOf(ctx.db, ctx.round.id);
        if (uploads >= ctx.settings.minShops) return { ok: true };
        return {
          ok: false,
          reason: `only ${uploads} shop${uploads === 1 ? '' : 's'} sent an update by the deadline; the round needs at least ${ctx.settings.minShops}`,
        };
      },
    },
  },
  aggregator: {
    aggregate(ctx: PhaseContext, global: Float32Array) {
      // A shop revoked during the round no longer counts, even if its update arrived.
      const rows = updatesOf(ctx.db, ctx.round.id).filter(
        (row) => row.delta !== null && !getShop(ctx.db, row.shop_id)?.revoked_at,
      );
      if (rows.length < ctx.settings.minShops)
        return {
          ok: false,
          reason: `only ${rows.length} usable updates, at least ${ctx.settings.minShops} needed`,
        };
      const updates = rows.map((row) => ({
        delta: float32FromBytes(row.delta!),
        weight: row.weight,
      }));
      for (const update of updates)
        if (update.delta.length !== global.length)
          return { ok: false, reason: 'an update does not match the model size' };
      return {
        ok: true,
        averageDelta: weightedAverage(updates),
        contributors: rows.length,
        totalWeight: updates.reduce((sum, u) => sum + u.weight, 0),
      };
    },
  },
};
