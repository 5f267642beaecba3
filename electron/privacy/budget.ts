import { budgetEpsilon, emptyBudget } from '../../federated/privacy/accountant.ts';
import {
  spendDiscreteRound,
  type DiscreteRound,
} from '../../federated/privacy/discrete-accountant.ts';
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
  /**
   * τ and dimension of the discrete Gaussian sum the round ran (`roundPrivacy` of its plan).
   * Absent for plain rounds and for charges queued before they were recorded: counted at τ = 0.
   */
  tau?: number;
  dimension?: number;
};

/** What one charged round costs: the distributed discrete Gaussian's parameters. */
export type ChargedRound = Pick<DiscreteRound, 'noiseMultiplier' | 'tau' | 'dimension'>;

/**
 * Charges a round once, whatever happens to the request carrying the update: call it before
 * the first byte leaves. Returns false when the round was already charged (a resend).
 */
export function chargeRound(db: Db, charge: Charge, now: Date): boolean {
  return (
    db
      .prepare(
        `INSERT OR IGNORE INTO privacy_charges
           (round_key, round_id, charged_at, mode, noise_multiplier, clip_norm, tau, dimension)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(
        charge.roundKey,
        charge.roundId,
        now.toISOString(),
        charge.mode,
        charge.mode === 'plain' ? 0 : charge.noiseMultiplier,
        charge.clipNorm,
        charge.tau ?? 0,
        charge.dimension ?? 1,
      ).changes === 1
  );
}

export function isCharged(db: Db, key: string): boolean {
  return db.prepare('SELECT 1 FROM privacy_charges WHERE round_key = ?').get(key) !== undefined;
}

type ChargeRow = {
  charged_at: string;
  mode: string;
  noise_multiplier: number;
  tau: number;
  dimension: number;
};

const costOf = (row: ChargeRow): ChargedRound => ({
  noiseMultiplier: row.noise_multiplier,
  tau: row.tau,
  dimension: row.dimension,
});

/**
 * Epsilon of a sequence of rounds, each with every bakery taking part (q = 1, the honest worst
 * case), on the same distributed discrete Gaussian accountant as the coordinator and
 * `breadcast privacy`; null when any round had no noise, since then no bound holds at all.
 */
export function epsilonOfRounds(
  rounds: readonly ChargedRound[],
  delta = SHOP_DELTA,
): number | null {
  if (rounds.some((r) => !(r.noiseMultiplier > 0))) return null;
  return budgetEpsilon(
    rounds.reduce((budget, round) => spendDiscreteRound(budget, round), emptyBudget()),
    delta,
  );
}

function chargesSince(db: Db, since: string): ChargeRow[] {
  return db
    .prepare<[string], ChargeRow>(
      'SELECT charged_at, mode, noise_multiplier, tau, dimension FROM privacy_charges WHERE charged_at >= ? ORDER BY id',
    )
    .all(since);
}

/**
 * Epsilon over the last 365 days, with one more round `withRound` when given. Before its roster
 * is known a coming round's τ is not: it counts at τ = 0 here (τ is below 10⁻¹⁰⁰ at the share
 * sizes secure rounds use) and at its recorded τ once charged.
 */
export function yearEpsilon(
  db: Db,
  now: Date,
  withRound?: { noiseMultiplier: number },
): number | null {
  const rounds = chargesSince(db, new Date(now.getTime() - YEAR_MS).toISOString()).map(costOf);
  if (withRound) rounds.push({ noiseMultiplier: withRound.noiseMultiplier, tau: 0, dimension: 1 });
  return epsilonOfRounds(rounds);
}

/** Epsilon over all updates so far; null when unbounded. */
export function lifetimeEpsilon(db: Db): number | null {
  return epsilonOfRounds(chargesSince(db, '').map(costOf));
}

export function shopPrivacy(db: Db, now: Date): ShopPrivacy {
  const all = chargesSince(db, '');
  const since = new Date(now.getTime() - YEAR_MS).toISOString();
  const year = all.filter((r) => r.charged_at >= since);
  const firstUnbounded = all.find((r) => !(r.noise_multiplier > 0));
  return {
    delta: SHOP_DELTA,
    rounds: all.length,
    epsilon: epsilonOfRounds(all.map(costOf)),
    unboundedSince: firstUnbounded?.charged_at ?? null,
    plainUpdates: all.filter((r) => r.mode === 'plain').length,
    noiselessUpdates: all.filter((r) => r.mode === 'secure' && !(r.noise_multiplier > 0)).length,
    year: { rounds: year.length, epsilon: epsilonOfRounds(year.map(costOf)) },
  };
}
