import { budgetEpsilon, emptyBudget, spendRound } from '../../federated/privacy/accountant.ts';
import type { ShopPrivacy } from '../api/contract/privacy.ts';
import type { Db } from '../store/database.ts';

/** δ this bakery's own budget is counted at. */
export const SHOP_DELTA = 1e-5;
const YEAR_MS = 365 * 86_400_000;

/**
 * Names one round of one coordinator for good: round ids restart if a coordinator's database
 * is ever recreated, the opening time does not repeat.
 */
export function roundKey(coordinatorUrl: string, round: { id: number; openedAt: string }): string {
  return `${coordinatorUrl}|${round.id}|${round.openedAt}`;
}

export type Charge = {
  roundKey: string;
  roundId: number;
  mode: 'plain' | 'secure';
  /** 0 for a plain round or a noiseless secure one. */
  noiseMultiplier: number;
  clipNorm: number | null;
};

/**
 * Charges a round once, whatever happens to the request carrying the update: call it before
 * the first byte leaves. Returns false when the round was already charged (a resend).
 */
export function chargeRound(db: Db, charge: Charge, now: Date): boolean {
  return (
    db
      .prepare(
        `INSERT OR IGNORE INTO privacy_charges (round_key, round_id, charged_at, mode, noise_multiplier, clip_norm)
         VALUES (?, ?, ?, ?, ?, ?)`,
      )
      .run(
        charge.roundKey,
        charge.roundId,
        now.toISOString(),
        charge.mode,
        charge.mode === 'plain' ? 0 : charge.noiseMultiplier,
        charge.clipNorm,
      ).changes === 1
  );
}

export function isCharged(db: Db, key: string): boolean {
  return db.prepare('SELECT 1 FROM privacy_charges WHERE round_key = ?').get(key) !== undefined;
}

type ChargeRow = { charged_at: string; mode: string; noise_multiplier: number };

/**
 * Epsilon of a sequence of rounds, each with every bakery taking part (q = 1, the honest worst
 * case); null when any round had no noise, since then no bound holds at all.
 */
export function epsilonOfRounds(
  noiseMultipliers: readonly number[],
  delta = SHOP_DELTA,
): number | null {
  if (noiseMultipliers.some((z) => !(z > 0))) return null;
  return budgetEpsilon(
    noiseMultipliers.reduce(
      (b, noiseMultiplier) => spendRound(b, { noiseMultiplier }),
      emptyBudget(),
    ),
    delta,
  );
}

function chargesSince(db: Db, since: string): ChargeRow[] {
  return db
    .prepare<[string], ChargeRow>(
      'SELECT charged_at, mode, noise_multiplier FROM privacy_charges WHERE charged_at >= ? ORDER BY id',
    )
    .all(since);
}

/** Epsilon over the last 365 days, with one more round of noise `withRound` when given. */
export function yearEpsilon(
  db: Db,
  now: Date,
  withRound?: { noiseMultiplier: number },
): number | null {
  const rows = chargesSince(db, new Date(now.getTime() - YEAR_MS).toISOString());
  const noise = rows.map((r) => r.noise_multiplier);
  if (withRound) noise.push(withRound.noiseMultiplier);
  return epsilonOfRounds(noise);
}

/** Epsilon over all updates so far; null when unbounded. */
export function lifetimeEpsilon(db: Db): number | null {
  return epsilonOfRounds(chargesSince(db, '').map((r) => r.noise_multiplier));
}

export function shopPrivacy(db: Db, now: Date): ShopPrivacy {
  const all = chargesSince(db, '');
  const since = new Date(now.getTime() - YEAR_MS).toISOString();
  const year = all.filter((r) => r.charged_at >= since);
  const firstUnbounded = all.find((r) => !(r.noise_multiplier > 0));
  return {
    delta: SHOP_DELTA,
    rounds: all.length,
    epsilon: epsilonOfRounds(all.map((r) => r.noise_multiplier)),
    unboundedSince: firstUnbounded?.charged_at ?? null,
    plainUpdates: all.filter((r) => r.mode === 'plain').length,
    noiselessUpdates: all.filter((r) => r.mode === 'secure' && !(r.noise_multiplier > 0)).length,
    year: { rounds: year.length, epsilon: epsilonOfRounds(year.map((r) => r.noise_multiplier)) },
  };
}
