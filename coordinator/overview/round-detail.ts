import { flag, type Sql } from '../store/sql.ts';
import type { RoundDetailView } from '../../federated/protocol/operator-views.ts';
import { aggregateMetrics } from './models-view.ts';
import { roundSettings } from '../../federated/protocol/index.ts';
import { epsilonOf } from '../privacy/budget.ts';
import { roundPrivacy } from '../privacy/round-facts.ts';
import { recordedPlan, roundCharge } from '../privacy/round-plan.ts';
import { refusalsOf } from '../store/privacy.ts';
import { loadCoordinatorSettings } from '../store/settings.ts';
import {
  flattenSettings,
  isFinished,
  parseSettings,
  roundRow,
  storedRound,
} from './rounds-view.ts';

/**
 * One round in full. The shop list says only who took part, how far each got and, for a shop
 * that skipped it under its own policy, the reasons it reported. The privacy part says what the
 * coordinator could see, from the settings the round ran with and its own records. The
 * evaluation is the aggregate of the model the round produced.
 */
export async function roundDetailView(sql: Sql, id: number): Promise<RoundDetailView | null> {
  const round = await storedRound(sql, id);
  if (!round) return null;
  const settings = roundSettings.parse(parseSettings(round.settings));
  type Participant = {
    shop_id: string;
    name: string;
    uploaded: number;
    dropped_in: string | null;
  };
  const participants = await sql.all<Participant>(
    `SELECT p.shop_id, s.name, p.dropped_in,
            ${flag(
              `p.uploaded_at IS NOT NULL OR EXISTS
               (SELECT 1 FROM updates u WHERE u.round_id = ? AND u.shop_id = p.shop_id)`,
            )} AS uploaded
     FROM round_participants p JOIN shops s ON s.id = p.shop_id
     WHERE p.round_id = ? ORDER BY s.name`,
    [id, id],
  );
  const finished = isFinished(round.phase);
  const refusals = new Map((await refusalsOf(sql, id)).map((r) => [r.shopId, r]));
  const refusalOf = (shopId: string) => {
    const refusal = refusals.get(shopId);
    return refusal ? { stage: refusal.stage, reasons: refusal.reasons } : null;
  };
  const shops: RoundDetailView['shops'] = participants.map((p) => ({
    shopId: p.shop_id,
    name: p.name,
    mark: refusals.has(p.shop_id)
      ? 'refused'
      : p.uploaded
        ? 'joined'
        : p.dropped_in || finished
          ? 'dropped'
          : 'joined',
    lastPhase: p.dropped_in ?? (p.uploaded ? 'uploaded' : 'checked in'),
    refusal: refusalOf(p.shop_id),
  }));
  // Enrolled shops that were asked but never checked in.
  const absent = await sql.all<{ id: string; name: string }>(
    `SELECT s.id, s.name FROM shops s
     WHERE s.enrolled_at <= ? AND (s.revoked_at IS NULL OR s.revoked_at > ?)
       AND s.id NOT IN (SELECT shop_id FROM round_participants WHERE round_id = ?)
     ORDER BY s.name`,
    [round.opened_at, round.opened_at, id],
  );
  for (const shop of absent) {
    const refusal = refusalOf(shop.id);
    if (refusal)
      shops.push({ shopId: shop.id, name: shop.name, mark: 'refused', lastPhase: null, refusal });
    else if (finished)
      shops.push({
        shopId: shop.id,
        name: shop.name,
        mark: 'missed',
        lastPhase: null,
        refusal: null,
      });
  }

  let evaluation: RoundDetailView['evaluation'] = null;
  if (round.result_version !== null) {
    const metrics = await sql.get<{
      reports: number;
      n: number;
      pinball_sum: number;
      wape_sum: number;
    }>('SELECT reports, n, pinball_sum, wape_sum FROM model_metrics WHERE version = ?', [
      round.result_version,
    ]);
    const figures = metrics ? aggregateMetrics(metrics) : {};
    if (metrics && Object.keys(figures).length > 0)
      evaluation = { shopsReporting: metrics.reports, metrics: figures };
  }

  const plainUpdates = (await sql.get<{ n: number }>(
    'SELECT COUNT(*) AS n FROM updates WHERE round_id = ?',
    [id],
  ))!.n;
  const plan = recordedPlan(settings, round.phase_state ?? null);
  const privacy = roundPrivacy(
    settings,
    round.phase_state ?? null,
    plan,
    Number(plainUpdates),
    round.phase === 'published',
  );
  // Charged like the budget charges it: a released aggregate costs its plan's epsilon.
  const charge = roundCharge(settings, plan);
  const epsilon =
    privacy.released && charge.noiseMultiplier > 0
      ? epsilonOf([charge], (await loadCoordinatorSettings(sql)).privacy.delta)
      : null;

  return {
    round: await roundRow(sql, round),
    settings: flattenSettings(settings),
    privacy,
    shops,
    epsilon,
    evaluation,
  };
}
