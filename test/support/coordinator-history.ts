import { modelsView } from '../../coordinator/overview/models-view.ts';
import { overviewView } from '../../coordinator/overview/overview-view.ts';
import { shopsView } from '../../coordinator/overview/participation.ts';
import { privacyView } from '../../coordinator/overview/privacy-view.ts';
import { roundDetailView } from '../../coordinator/overview/round-detail.ts';
import { roundRow, storedRounds } from '../../coordinator/overview/rounds-view.ts';
import { insertModel, setCurrentModelVersion } from '../../coordinator/store/models.ts';
import { checkIn, insertRound, markDropouts } from '../../coordinator/store/rounds.ts';
import { putSetting } from '../../coordinator/store/settings.ts';
import { createInvite, enrolShop, revokeShop } from '../../coordinator/store/shops.ts';
import type { CoordinatorStore } from '../../coordinator/store/sql.ts';
import { generateShopKeyPair, roundSettings } from '../../federated/protocol/index.ts';

export const at = (minute: number) => new Date(Date.UTC(2026, 10, 20, 1, minute));

/** Enrols a shop through an invite, as the enrolment route does. */
export async function enrol(store: CoordinatorStore, name: string, when: Date): Promise<string> {
  const code = await createInvite(
    store,
    { expiresAt: new Date(when.getTime() + 3600_000), operatorId: null },
    when,
  );
  const outcome = await enrolShop(
    store,
    {
      inviteCode: code,
      shopName: name,
      appVersion: '1',
      publicKey: generateShopKeyPair().publicKey,
    },
    when,
  );
  if (!outcome.ok) throw new Error(outcome.reason);
  return outcome.shop.id;
}

/**
 * A small consortium's history written straight into a store: four shops (one revoked), three
 * rounds (published, failed, still collecting), metrics. Returns shop ids → names.
 */
export async function writeHistory(store: CoordinatorStore): Promise<Map<string, string>> {
  const names = new Map<string, string>();
  await store.transaction(async (tx) => {
    const model = await insertModel(
      tx,
      { weights: new Float32Array(4), roundId: null, parentVersion: null, settings: null },
      at(0),
    );
    await setCurrentModelVersion(tx, model.version);
  });
  for (const [i, name] of ['Bäckerei Zoë', 'anna', 'Brot & Co', 'Zentrale'].entries())
    names.set(await enrol(store, name, at(i)), name);
  const [first, second, third, fourth] = [...names.keys()] as [string, string, string, string];
  await revokeShop(store, fourth, at(30));
  await putSetting(store, 'privacy', { delta: 1e-6, budget: 10 });
  const settings = [
    { mode: 'secure', noiseMultiplier: 1.2, minShops: 2 },
    { mode: 'plain', minShops: 2 },
    { mode: 'secure', noiseMultiplier: 0.9, minShops: 3 },
  ] as const;
  for (const [r, round] of settings.entries()) {
    const opened = at(60 * 24 * (r + 1));
    const row = await insertRound(
      store,
      { modelVersion: 1, settings: roundSettings.parse(round), trigger: 'schedule' },
      opened,
    );
    for (const shop of [first, second, third].slice(0, 3 - (r % 2)))
      await checkIn(store, row.id, shop, opened);
    for (const shop of [first, second].slice(0, r === 2 ? 1 : 2))
      await store.run(
        `INSERT INTO updates (round_id, shop_id, payload_sha256, sample_count, weight, norm, bytes, delta, received_at)
         VALUES (?, ?, 'h', 10, 1, 0.5, 16, NULL, ?)`,
        [row.id, shop, opened.toISOString()],
      );
    await markDropouts(store, row.id, 'collect');
    const phase = r === 2 ? 'collect' : r === 1 ? 'failed' : 'published';
    await store.run('UPDATE rounds SET phase = ?, closed_at = ?, phase_log = ? WHERE id = ?', [
      phase,
      phase === 'collect' ? null : new Date(opened.getTime() + 3600_000).toISOString(),
      JSON.stringify([
        { phase: 'open', at: opened.toISOString() },
        { phase: 'collect', at: new Date(opened.getTime() + 60_000).toISOString() },
        ...(phase === 'collect'
          ? []
          : [{ phase, at: new Date(opened.getTime() + 3600_000).toISOString() }]),
      ]),
      row.id,
    ]);
  }
  for (let i = 0; i < 2; i++) await addFigures(store, 1, 28 + i, 0.1 * (i + 1), 0.2 * (i + 1));
  return names;
}

/**
 * Adds evaluation figures to a version's sums, the way the coordinator keeps the consortium's
 * totals (shops no longer report theirs one by one).
 */
export async function addFigures(
  store: CoordinatorStore,
  version: number,
  n: number,
  pinball: number,
  wape: number,
): Promise<void> {
  await store.run(
    `INSERT INTO model_metrics (version, reports, n, pinball_sum, wape_sum) VALUES (?, 1, ?, ?, ?)
     ON CONFLICT (version) DO UPDATE SET reports = model_metrics.reports + 1,
       n = model_metrics.n + excluded.n,
       pinball_sum = model_metrics.pinball_sum + excluded.pinball_sum,
       wape_sum = model_metrics.wape_sum + excluded.wape_sum`,
    [version, n, n * pinball, n * wape],
  );
}

/** Every dashboard view of that history, as text with shop ids replaced by names. */
export async function dashboardViews(
  store: CoordinatorStore,
  names: Map<string, string>,
): Promise<string> {
  const now = at(60 * 24 * 4);
  const all = {
    overview: await overviewView(store, { now, nextRoundAt: null, schedulerRunning: false }),
    shops: await shopsView(store, now),
    rounds: await Promise.all((await storedRounds(store)).map((round) => roundRow(store, round))),
    details: await Promise.all([1, 2, 3].map((id) => roundDetailView(store, id))),
    models: await modelsView(store),
    privacy: await privacyView(store),
  };
  let text = JSON.stringify(all, null, 1);
  for (const [id, name] of names) text = text.replaceAll(id, `<${name}>`);
  return text;
}
