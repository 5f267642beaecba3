import { flag, type Sql } from '../store/sql.ts';
import type {
  InviteRow,
  ParticipationMark,
  ShopRow,
  ShopsView,
} from '../../federated/protocol/operator-views.ts';
import { isFinished } from './rounds-view.ts';

type StoredShop = {
  id: string;
  name: string;
  app_version: string;
  enrolled_at: string;
  last_seen_at: string | null;
  revoked_at: string | null;
};
type RoundStub = { id: number; phase: string; opened_at: string };
type Attendance = { round_id: number; shop_id: string; uploaded: number; dropped: number };

/** How many recent rounds the participation strip shows. */
export const stripLength = 14;

/**
 * What one shop did in one round, from what the coordinator needs to run the protocol anyway:
 * whether it checked in, uploaded, or dropped out. Nothing about its data.
 */
function markOf(
  shop: StoredShop,
  round: RoundStub,
  attended: Attendance | undefined,
): ParticipationMark {
  if (attended) {
    if (attended.uploaded) return 'joined';
    return attended.dropped || isFinished(round.phase) ? 'dropped' : 'joined';
  }
  const enrolledLater = Date.parse(shop.enrolled_at) > Date.parse(round.opened_at);
  const revokedBefore =
    shop.revoked_at !== null && Date.parse(shop.revoked_at) <= Date.parse(round.opened_at);
  if (enrolledLater || revokedBefore) return 'not-enrolled';
  return isFinished(round.phase) ? 'missed' : 'not-enrolled';
}

async function attendanceByKey(sql: Sql): Promise<Map<string, Attendance>> {
  const rows = await sql.all<Attendance>(
    `SELECT p.round_id, p.shop_id,
            ${flag(
              `p.uploaded_at IS NOT NULL OR EXISTS
               (SELECT 1 FROM updates u WHERE u.round_id = p.round_id AND u.shop_id = p.shop_id)`,
            )} AS uploaded,
            ${flag('p.dropped_in IS NOT NULL')} AS dropped
     FROM round_participants p`,
  );
  return new Map(rows.map((row) => [`${row.round_id}:${row.shop_id}`, row]));
}

export async function shopRows(sql: Sql): Promise<ShopRow[]> {
  const shops = await sql.all<StoredShop>('SELECT * FROM shops ORDER BY enrolled_at, id');
  const rounds = await sql.all<RoundStub>('SELECT id, phase, opened_at FROM rounds ORDER BY id');
  const attendance = await attendanceByKey(sql);
  return shops.map((shop) => {
    const marks = rounds.map((round) => ({
      roundId: round.id,
      mark: markOf(shop, round, attendance.get(`${round.id}:${shop.id}`)),
    }));
    return {
      id: shop.id,
      name: shop.name,
      enrolledAt: shop.enrolled_at,
      lastSeenAt: shop.last_seen_at,
      appVersion: shop.app_version,
      status: shop.revoked_at ? 'revoked' : 'active',
      roundsJoined: marks.filter((m) => m.mark === 'joined').length,
      roundsMissed: marks.filter((m) => m.mark === 'missed' || m.mark === 'dropped').length,
      strip: marks.slice(-stripLength),
    };
  });
}

export async function inviteRows(sql: Sql, now: Date): Promise<InviteRow[]> {
  type Stored = {
    id: number;
    note: string | null;
    created_at: string;
    expires_at: string;
    used_at: string | null;
  };
  // SQLite numbers every row (rowid); the PostgreSQL table has an identity column for it.
  const id = sql.dialect === 'sqlite' ? 'rowid AS id' : 'id';
  const rows = await sql.all<Stored>(
    `SELECT ${id}, note, created_at, expires_at, used_at FROM invites ORDER BY created_at DESC LIMIT 50`,
  );
  return rows.map((invite) => ({
    id: String(invite.id),
    label: invite.note,
    createdAt: invite.created_at,
    expiresAt: invite.expires_at,
    status: invite.used_at
      ? 'used'
      : Date.parse(invite.expires_at) <= now.getTime()
        ? 'expired'
        : 'open',
  }));
}

/**
 * Per day (UTC) on which rounds opened: how many shops were enrolled and how many uploaded.
 * Covers the last `days` days that had a round.
 */
export async function participationByDay(sql: Sql, days = 30): Promise<ShopsView['byDay']> {
  const rows = await sql.all<{ day: string; joined: number }>(
    `SELECT day, joined FROM (
         SELECT substr(r.opened_at, 1, 10) AS day,
                COUNT(DISTINCT CASE WHEN p.uploaded_at IS NOT NULL OR u.shop_id IS NOT NULL
                      THEN p.shop_id END) AS joined
         FROM rounds r
         LEFT JOIN round_participants p ON p.round_id = r.id
         LEFT JOIN updates u ON u.round_id = p.round_id AND u.shop_id = p.shop_id
         GROUP BY day ORDER BY day DESC LIMIT ?) AS recent
       ORDER BY day`,
    [days],
  );
  const enrolled = async (day: string) =>
    (
      await sql.get<{ c: number }>(
        `SELECT COUNT(*) AS c FROM shops
         WHERE substr(enrolled_at, 1, 10) <= ? AND (revoked_at IS NULL OR substr(revoked_at, 1, 10) > ?)`,
        [day, day],
      )
    )?.c ?? 0;
  const byDay: ShopsView['byDay'] = [];
  for (const row of rows)
    byDay.push({ day: row.day, joined: row.joined, enrolled: await enrolled(row.day) });
  return byDay;
}

export async function shopsView(sql: Sql, now: Date): Promise<ShopsView> {
  return {
    shops: await shopRows(sql),
    invites: await inviteRows(sql, now),
    byDay: await participationByDay(sql),
  };
}
