import { stringify } from 'csv-stringify/sync';
import { sha256Hex } from '../../federated/protocol/index.ts';
import type { LedgerEntry } from '../api/contract/sync.ts';
import { chargeRound, lifetimeEpsilon, type Charge } from '../privacy/budget.ts';
import type { Db } from '../store/database.ts';
import { bakeryDate } from '../logs/settings.ts';

/** What a request carried, as the owner reads it. */
export type LedgerKind =
  | 'enrol'
  | 'status'
  | 'round-status'
  | 'model'
  | 'checkin'
  | 'update'
  | 'advertise'
  | 'shares'
  | 'masked'
  | 'confirm'
  | 'unmask'
  | 'metrics'
  | 'refusal';

export type LedgerDetails = Record<string, number | string | boolean | null>;

/** Said by whoever sends a request: what it is for, and whether it carries a model update. */
export type RequestMeta = {
  kind: LedgerKind;
  roundId: number | null;
  details?: LedgerDetails;
  /** Set on the request carrying a round's model update: the round is charged with its first attempt. */
  charge?: Charge;
};

export type OutgoingRequest = {
  meta: RequestMeta;
  method: string;
  path: string;
  body: string | Uint8Array | null;
  headers: Record<string, string>;
};

/** Every request goes through this: a line before the bytes leave, the answer after. */
export type RequestLog = {
  sending(request: OutgoingRequest): number;
  /** status null: no answer came (offline, timeout, cut): the request may or may not have arrived. */
  answered(id: number, status: number | null): void;
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
  method: string | null;
  path: string | null;
  headers: string | null;
  details: string | null;
  answer: 'accepted' | 'refused' | 'none' | null;
  status: number | null;
};

/** The shop's ledger as a request log: writes the line (and the round's charge) in one transaction. */
export function ledgerRequestLog(db: Db, now: () => Date): RequestLog {
  const insert = db.prepare(
    `INSERT INTO sync_ledger (round_id, kind, sent_at, bytes, clip_norm, noise_multiplier, epsilon_spent,
       payload_sha256, summary, method, path, headers, details)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, NULL, ?, ?, ?, ?)`,
  );
  const answer = db.prepare('UPDATE sync_ledger SET answer = ?, status = ? WHERE id = ?');
  return {
    sending: (request) =>
      db.transaction(() => {
        const { meta } = request;
        const at = now();
        let epsilon: number | null = null;
        if (meta.charge) {
          chargeRound(db, meta.charge, at);
          epsilon = lifetimeEpsilon(db);
        }
        const body = request.body ?? '';
        return Number(
          insert.run(
            meta.roundId,
            meta.kind,
            at.toISOString(),
            typeof body === 'string' ? Buffer.byteLength(body) : body.byteLength,
            meta.charge?.clipNorm ?? null,
            meta.charge && meta.charge.noiseMultiplier > 0 ? meta.charge.noiseMultiplier : null,
            epsilon,
            sha256Hex(body),
            request.method,
            request.path,
            JSON.stringify(request.headers),
            JSON.stringify(meta.details ?? {}),
          ).lastInsertRowid,
        );
      })(),
    answered: (id, status) => {
      const outcome = status === null ? 'none' : status < 400 ? 'accepted' : 'refused';
      answer.run(outcome, status, id);
    },
  };
}

function parseObject<T>(text: string | null, fallback: T): T {
  if (!text) return fallback;
  try {
    const value = JSON.parse(text) as unknown;
    return value && typeof value === 'object' ? (value as T) : fallback;
  } catch {
    return fallback;
  }
}

function toEntry(row: Row): LedgerEntry {
  return {
    id: row.id,
    roundId: row.round_id,
    kind: row.kind,
    sentAt: row.sent_at,
    method: row.method,
    path: row.path,
    bytes: row.bytes,
    headers: parseObject(row.headers, {}),
    answer: row.answer,
    status: row.status,
    clipNorm: row.clip_norm,
    noiseMultiplier: row.noise_multiplier,
    epsilonSpent: row.epsilon_spent,
    payloadSha256: row.payload_sha256,
    details: parseObject(row.details, {}),
    summary: String(parseObject<{ text?: unknown }>(row.summary, {}).text ?? ''),
  };
}

export function listLedger(
  db: Db,
  options: { limit: number; beforeId?: number; roundId?: number | null },
): { entries: LedgerEntry[]; total: number } {
  const where =
    options.roundId === undefined
      ? ''
      : options.roundId === null
        ? 'AND round_id IS NULL'
        : 'AND round_id = @round';
  type Params = { before: number; limit: number; round: number };
  const params: Params = {
    before: options.beforeId ?? Number.MAX_SAFE_INTEGER,
    limit: options.limit,
    round: options.roundId ?? 0,
  };
  const rows = db
    .prepare<Params, Row>(
      `SELECT * FROM sync_ledger WHERE id < @before ${where} ORDER BY id DESC LIMIT @limit`,
    )
    .all(params);
  const total = db
    .prepare<Params, { c: number }>(`SELECT COUNT(*) AS c FROM sync_ledger WHERE 1 = 1 ${where}`)
    .get(params)!.c;
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
  const content = stringify(
    entries.map((e) => ({
      ...e,
      headers: JSON.stringify(e.headers),
      details: JSON.stringify(e.details),
    })),
    {
      header: true,
      columns: [
        'id',
        'roundId',
        'kind',
        'sentAt',
        'method',
        'path',
        'bytes',
        'answer',
        'status',
        'clipNorm',
        'noiseMultiplier',
        'epsilonSpent',
        'payloadSha256',
        'headers',
        'details',
        'summary',
      ],
    },
  );
  return { fileName: `breadcast-ledger-${stamp}.csv`, mimeType: 'text/csv', content };
}
