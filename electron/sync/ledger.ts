import { stringify } from 'csv-stringify/sync';
import type { LedgerEntry } from '../api/contract/sync.ts';
import type { Db } from '../store/database.ts';
import { bakeryDate } from '../logs/settings.ts';

export type LedgerRecord = {
  roundId: number | null;
  kind: 'update' | 'metrics';
  sentAt: string;
  bytes: number;
  clipNorm: number | null;
  noiseMultiplier: number | null;
  epsilonSpent: number | null;
  payloadSha256: string;
  summary: string;
};

type Row = {
  id: number;
  round_id: number | null;
  kind: string;
  sent_at: string;
  bytes: number;
  clip_norm: number | null;
  noise_multiplier: number | null;
  epsilon_spent: number | null;
  payload_sha256: string;
  summary: string | null;
};

export function recordLedger(db: Db, entry: LedgerRecord): void {
  db.prepare(
    `INSERT INTO sync_ledger (round_id, kind, sent_at, bytes, clip_norm, noise_multiplier, epsilon_spent, payload_sha256, summary)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  ).run(
    entry.roundId,
    entry.kind,
    entry.sentAt,
    entry.bytes,
    entry.clipNorm,
    entry.noiseMultiplier,
    entry.epsilonSpent,
    entry.payloadSha256,
    JSON.stringify({ text: entry.summary }),
  );
}

function toEntry(row: Row): LedgerEntry {
  let summary: string;
  try {
    summary = row.summary
      ? String((JSON.parse(row.summary) as { text?: unknown }).text ?? row.summary)
      : '';
  } catch {
    summary = row.summary ?? '';
  }
  return {
    id: row.id,
    roundId: row.round_id,
    kind: row.kind,
    sentAt: row.sent_at,
    bytes: row.bytes,
    clipNorm: row.clip_norm,
    noiseMultiplier: row.noise_multiplier,
    epsilonSpent: row.epsilon_spent,
    payloadSha256: row.payload_sha256,
    summary,
  };
}

export function listLedger(
  db: Db,
  options: { limit: number; beforeId?: number },
): { entries: LedgerEntry[]; total: number } {
  const rows = db
    .prepare<[number, number], Row>(
      'SELECT * FROM sync_ledger WHERE id < ? ORDER BY id DESC LIMIT ?',
    )
    .all(options.beforeId ?? Number.MAX_SAFE_INTEGER, options.limit);
  const total = db.prepare<[], { c: number }>('SELECT COUNT(*) AS c FROM sync_ledger').get()!.c;
  return { entries: rows.map(toEntry), total };
}

export function exportLedger(
  db: Db,
  format: 'csv' | 'json',
  now: Date,
): { fileName: string; mimeType: string; content: string } {
  const entries = db.prepare<[], Row>('SELECT * FROM sync_ledger ORDER BY id').all().map(toEntry);
  const stamp = bakeryDate(db, now);
  if (format === 'json')
    return {
      fileName: `breadcast-ledger-${stamp}.json`,
      mimeType: 'application/json',
      content: JSON.stringify(entries, null, 2) + '\n',
    };
  const content = stringify(entries, {
    header: true,
    columns: [
      'id',
      'roundId',
      'kind',
      'sentAt',
      'bytes',
      'clipNorm',
      'noiseMultiplier',
      'epsilonSpent',
      'payloadSha256',
      'summary',
    ],
  });
  return { fileName: `breadcast-ledger-${stamp}.csv`, mimeType: 'text/csv', content };
}
