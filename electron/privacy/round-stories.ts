import type { RefusalReason } from '../../federated/protocol/privacy-policy.ts';
import type { LedgerRound, RoundStory } from '../api/contract/privacy.ts';
import type { Db } from '../store/database.ts';

type Totals = { messages: number; bytes: number; kinds: Record<string, number> };
type KindRow = {
  round_id: number | null;
  kind: string;
  n: number;
  bytes: number;
  first: string;
  last: string;
};
type UpdateRow = {
  kind: string;
  details: string | null;
  summary: string | null;
  clip_norm: number | null;
  noise_multiplier: number | null;
};

function details(text: string | null): Record<string, unknown> {
  try {
    return text ? (JSON.parse(text) as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

const num = (value: unknown): number | null =>
  typeof value === 'number' && Number.isFinite(value) ? value : null;

/**
 * What the coordinator could see of this bakery in a round, from this app's own records only:
 * its refusal, else the update it sent (masked or plain, with the noise it added) and, for a
 * masked one, how many updates the sum it helped unmask held.
 */
function storyOf(db: Db, roundId: number): RoundStory {
  const refusal = db
    .prepare<[number], { stage: 'settings' | 'roster'; reasons: string }>(
      'SELECT stage, reasons FROM round_refusals WHERE round_id = ? ORDER BY id DESC LIMIT 1',
    )
    .get(roundId);
  if (refusal)
    return {
      outcome: 'skipped',
      stage: refusal.stage,
      reasons: JSON.parse(refusal.reasons) as RefusalReason[],
    };
  const update = db
    .prepare<[number], UpdateRow>(
      `SELECT kind, details, summary, clip_norm, noise_multiplier FROM sync_ledger
       WHERE round_id = ? AND kind IN ('update', 'masked') ORDER BY id DESC LIMIT 1`,
    )
    .get(roundId);
  if (!update) return { outcome: 'no-update' };
  const sent = details(update.details);
  // Lines from before details existed called every upload 'update' and said which in words.
  const masked =
    update.kind === 'masked' ||
    (update.details === null && /Masked model update/.test(update.summary ?? ''));
  const clipNorm = num(sent.clipNorm) ?? update.clip_norm;
  if (!masked) return { outcome: 'plain', clipNorm };
  const unmask = db
    .prepare<[number], { details: string | null }>(
      "SELECT details FROM sync_ledger WHERE round_id = ? AND kind = 'unmask' ORDER BY id DESC LIMIT 1",
    )
    .get(roundId);
  return {
    outcome: 'masked',
    noiseMultiplier: num(sent.noiseMultiplier) ?? update.noise_multiplier ?? 0,
    clipNorm,
    threshold: num(sent.threshold),
    rosterSize: num(sent.rosterSize),
    colluders: num(sent.colluders),
    summed: unmask ? num(details(unmask.details).survivors) : null,
  };
}

function totals(rows: KindRow[]): Totals {
  const out: Totals = { messages: 0, bytes: 0, kinds: {} };
  for (const row of rows) {
    out.messages += row.n;
    out.bytes += row.bytes;
    out.kinds[row.kind] = (out.kinds[row.kind] ?? 0) + row.n;
  }
  return out;
}

/** The ledger round by round, newest first, with each round's story; plus lines tied to no round. */
export function ledgerRounds(
  db: Db,
  options: { limit: number; beforeRoundId?: number },
): { rounds: LedgerRound[]; unassigned: Totals } {
  const before = options.beforeRoundId ?? Number.MAX_SAFE_INTEGER;
  const ids = db
    .prepare<[number, number, number], { round_id: number }>(
      `SELECT round_id FROM (
         SELECT round_id FROM sync_ledger WHERE round_id IS NOT NULL AND round_id < ?
         UNION SELECT round_id FROM round_refusals WHERE round_id < ?)
       ORDER BY round_id DESC LIMIT ?`,
    )
    .all(before, before, options.limit)
    .map((r) => r.round_id);
  const byKind = db.prepare<[number], KindRow>(
    `SELECT round_id, kind, COUNT(*) AS n, SUM(bytes) AS bytes, MIN(sent_at) AS first, MAX(sent_at) AS last
     FROM sync_ledger WHERE round_id = ? GROUP BY kind`,
  );
  const decided = db.prepare<[number], { at: string }>(
    'SELECT MIN(decided_at) AS at FROM round_refusals WHERE round_id = ?',
  );
  const rounds = ids.map((roundId): LedgerRound => {
    const rows = byKind.all(roundId);
    const sum = totals(rows);
    const times = [...rows.flatMap((r) => [r.first, r.last]), decided.get(roundId)?.at]
      .filter((t): t is string => typeof t === 'string')
      .sort();
    return {
      roundId,
      firstAt: times[0]!,
      lastAt: times.at(-1)!,
      ...sum,
      story: storyOf(db, roundId),
    };
  });
  const unassigned = totals(
    db
      .prepare<[], KindRow>(
        `SELECT NULL AS round_id, kind, COUNT(*) AS n, SUM(bytes) AS bytes, MIN(sent_at) AS first, MAX(sent_at) AS last
         FROM sync_ledger WHERE round_id IS NULL GROUP BY kind`,
      )
      .all(),
  );
  return { rounds, unassigned };
}
