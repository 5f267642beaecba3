import { privacyPolicy, type PrivacyPolicy } from '../api/contract/privacy.ts';
import type { Db } from '../store/database.ts';

/**
 * Strict by default: masked rounds only, with noise, among enough bakeries, and a yearly
 * epsilon limit. The noise floor is the consortium default measured to cost about one WAPE
 * point; the limit admits a year of nightly rounds at that floor and nothing beyond, so a
 * coordinator that runs extra rounds or less noise is refused rather than believed.
 */
export const defaultPrivacyPolicy: PrivacyPolicy = {
  allowPlainRounds: false,
  minNoiseMultiplier: 1.1,
  minShops: 5,
  // A year of nightly rounds at z = 1.1 spends epsilon 232 (366 rounds: 233).
  epsilonLimit: 250,
};

type Row = {
  allow_plain_rounds: number;
  min_noise_multiplier: number;
  min_shops: number;
  epsilon_limit: number | null;
};

/** The bakery's policy: its saved row, else the defaults of this app version. */
export function loadPrivacyPolicy(db: Db): PrivacyPolicy {
  const row = db.prepare<[], Row>('SELECT * FROM privacy_policy WHERE id = 1').get();
  if (!row) return defaultPrivacyPolicy;
  return privacyPolicy.parse({
    allowPlainRounds: row.allow_plain_rounds === 1,
    minNoiseMultiplier: row.min_noise_multiplier,
    minShops: row.min_shops,
    epsilonLimit: row.epsilon_limit,
  });
}

export function savePrivacyPolicy(db: Db, policy: PrivacyPolicy, now: Date): PrivacyPolicy {
  const valid = privacyPolicy.parse(policy);
  db.prepare(
    `INSERT INTO privacy_policy (id, allow_plain_rounds, min_noise_multiplier, min_shops, epsilon_limit, updated_at)
     VALUES (1, ?, ?, ?, ?, ?)
     ON CONFLICT(id) DO UPDATE SET allow_plain_rounds = excluded.allow_plain_rounds,
       min_noise_multiplier = excluded.min_noise_multiplier, min_shops = excluded.min_shops,
       epsilon_limit = excluded.epsilon_limit, updated_at = excluded.updated_at`,
  ).run(
    valid.allowPlainRounds ? 1 : 0,
    valid.minNoiseMultiplier,
    valid.minShops,
    valid.epsilonLimit,
    now.toISOString(),
  );
  return valid;
}
