import { weightedAverage } from '../../federated/aggregation/index.ts';
import { float32FromBytes } from '../../federated/protocol/index.ts';
import { answeredOf, markDropouts, participationOf } from '../store/rounds.ts';
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
      async isComplete(ctx: PhaseContext) {
        // Every shop has uploaded or said its policy skips the round: nobody is left to wait for.
        const { answered, active } = await answeredOf(ctx.db, ctx.round.id);
        return answered >= Math.max(ctx.settings.minShops, active);
      },
      async onDeadline(ctx: PhaseContext) {
        // Checked in but never uploaded: a dropout, shown as such on the dashboard.
        await markDropouts(ctx.db, ctx.round.id, 'collect');
        const { uploads } = await participationOf(ctx.db, ctx.round.id);
        if (uploads >= ctx.settings.minShops) return { ok: true };
        return {
          ok: false,
          reason: `only ${uploads} shop${uploads === 1 ? '' : 's'} sent an update by the deadline; the round needs at least ${ctx.settings.minShops}`,
        };
      },
    },
  },
  aggregator: {
    async aggregate(ctx: PhaseContext, global: Float32Array) {
      // A shop revoked during the round no longer counts, even if its update arrived.
      const rows = await ctx.db.all<{ delta: Buffer; weight: number }>(
        `SELECT u.delta, u.weight FROM updates u JOIN shops s ON s.id = u.shop_id
         WHERE u.round_id = ? AND u.delta IS NOT NULL AND s.revoked_at IS NULL
         ORDER BY u.shop_id`,
        [ctx.round.id],
      );
      if (rows.length < ctx.settings.minShops)
        return {
          ok: false,
          reason: `only ${rows.length} usable updates, at least ${ctx.settings.minShops} needed`,
        };
      const updates = rows.map((row) => ({
        delta: float32FromBytes(row.delta),
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
