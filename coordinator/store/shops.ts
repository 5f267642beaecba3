import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { powerOfTwoChunks, rowLock, type Sql } from './sql.ts';

export type ShopRow = {
  id: string;
  name: string;
  app_version: string;
  enrolled_at: string;
  last_seen_at: string | null;
  revoked_at: string | null;
};

const hashCode = (code: string) =>
  createHash('sha256').update(code.trim().toUpperCase()).digest('hex');

/** Invite codes: 20 characters of an unambiguous alphabet, shown once and stored only hashed. */
export async function createInvite(
  sql: Sql,
  options: { expiresAt: Date; operatorId: number | null; note?: string },
  now: Date,
): Promise<string> {
  const alphabet = 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789';
  const bytes = randomBytes(20);
  let code = '';
  for (const byte of bytes) code += alphabet[byte % alphabet.length];
  code = code.match(/.{5}/g)!.join('-');
  await sql.run(
    'INSERT INTO invites (code_hash, created_by, note, created_at, expires_at) VALUES (?, ?, ?, ?, ?)',
    [
      hashCode(code),
      options.operatorId,
      options.note ?? null,
      now.toISOString(),
      options.expiresAt.toISOString(),
    ],
  );
  return code;
}

export type EnrolOutcome =
  | { ok: true; shop: ShopRow }
  | { ok: false; reason: 'unknown-invite' | 'expired-invite' | 'used-invite' | 'key-in-use' };

/** Consumes the invite and creates the shop atomically, so a code can never enrol two shops. */
export async function enrolShop(
  sql: Sql,
  request: { inviteCode: string; shopName: string; appVersion: string; publicKey: string },
  now: Date,
): Promise<EnrolOutcome> {
  const codeHash = hashCode(request.inviteCode);
  return sql.transaction(async (tx): Promise<EnrolOutcome> => {
    // Locks the invite row: of two enrolments with one code, the second sees it used.
    const invite = await tx.get<{ expires_at: string; used_at: string | null }>(
      `SELECT expires_at, used_at FROM invites WHERE code_hash = ?${rowLock(tx, 'update')}`,
      [codeHash],
    );
    if (!invite) return { ok: false, reason: 'unknown-invite' };
    if (invite.used_at) return { ok: false, reason: 'used-invite' };
    if (Date.parse(invite.expires_at) <= now.getTime())
      return { ok: false, reason: 'expired-invite' };
    const keyTaken = await tx.get('SELECT 1 AS taken FROM credentials WHERE public_key = ?', [
      request.publicKey,
    ]);
    if (keyTaken) return { ok: false, reason: 'key-in-use' };
    const shop: ShopRow = {
      id: `shop_${randomUUID().replaceAll('-', '').slice(0, 16)}`,
      name: request.shopName,
      app_version: request.appVersion,
      enrolled_at: now.toISOString(),
      last_seen_at: now.toISOString(),
      revoked_at: null,
    };
    await tx.run(
      'INSERT INTO shops (id, name, app_version, enrolled_at, last_seen_at) VALUES (?, ?, ?, ?, ?)',
      [shop.id, shop.name, shop.app_version, shop.enrolled_at, shop.last_seen_at],
    );
    await tx.run(
      "INSERT INTO credentials (shop_id, kind, public_key, created_at) VALUES (?, 'ed25519', ?, ?)",
      [shop.id, request.publicKey, now.toISOString()],
    );
    await tx.run('UPDATE invites SET used_at = ?, used_by_shop = ? WHERE code_hash = ?', [
      now.toISOString(),
      shop.id,
      codeHash,
    ]);
    return { ok: true, shop };
  });
}

export async function getShop(sql: Sql, id: string): Promise<ShopRow | undefined> {
  return sql.get<ShopRow>('SELECT * FROM shops WHERE id = ?', [id]);
}

export type ShopWithKey = ShopRow & { public_key: string | null };

/** The shop with its current signing key, in one query: what every signed request needs. */
export async function shopWithKey(sql: Sql, id: string): Promise<ShopWithKey | undefined> {
  return (await shopsWithKeys(sql, [id])).get(id);
}

/** Several shops with their current signing keys, by id (absent ids are not in the map). */
export async function shopsWithKeys(
  sql: Sql,
  ids: readonly string[],
): Promise<Map<string, ShopWithKey>> {
  const found = new Map<string, ShopWithKey>();
  for (const chunk of powerOfTwoChunks([...new Set(ids)])) {
    const rows = await sql.all<ShopWithKey>(
      `SELECT s.*, (SELECT c.public_key FROM credentials c
                    WHERE c.shop_id = s.id AND c.revoked_at IS NULL
                    ORDER BY c.created_at DESC LIMIT 1) AS public_key
       FROM shops s WHERE s.id IN (${chunk.map(() => '?').join(', ')})`,
      chunk,
    );
    for (const row of rows) found.set(row.id, row);
  }
  return found;
}

export async function activePublicKey(sql: Sql, shopId: string): Promise<string | undefined> {
  const row = await sql.get<{ public_key: string }>(
    'SELECT public_key FROM credentials WHERE shop_id = ? AND revoked_at IS NULL ORDER BY created_at DESC LIMIT 1',
    [shopId],
  );
  return row?.public_key;
}

export async function revokeShop(sql: Sql, shopId: string, now: Date): Promise<boolean> {
  return sql.transaction(async (tx) => {
    const changed = await tx.run(
      'UPDATE shops SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL',
      [now.toISOString(), shopId],
    );
    await tx.run('UPDATE credentials SET revoked_at = ? WHERE shop_id = ? AND revoked_at IS NULL', [
      now.toISOString(),
      shopId,
    ]);
    return changed > 0;
  });
}

export async function touchShop(
  sql: Sql,
  shopId: string,
  appVersion: string | undefined,
  now: Date,
): Promise<void> {
  await sql.run(
    'UPDATE shops SET last_seen_at = ?, app_version = COALESCE(?, app_version) WHERE id = ?',
    [now.toISOString(), appVersion ?? null, shopId],
  );
}

export async function listShops(sql: Sql): Promise<(ShopRow & { rounds_joined: number })[]> {
  return sql.all(
    `SELECT s.*, (SELECT COUNT(*) FROM updates u WHERE u.shop_id = s.id) AS rounds_joined
     FROM shops s ORDER BY s.enrolled_at`,
  );
}

/** Records a nonce; false when it was already used inside the window (a replay). */
export async function useNonce(
  sql: Sql,
  shopId: string,
  nonce: string,
  expiresAtMs: number,
): Promise<boolean> {
  const inserted = await sql.run(
    'INSERT INTO nonces (shop_id, nonce, expires_at) VALUES (?, ?, ?) ON CONFLICT (shop_id, nonce) DO NOTHING',
    [shopId, nonce, expiresAtMs],
  );
  return inserted === 1;
}

/** Forgets nonces whose window has passed (a request that old is refused by its timestamp). */
export async function dropExpiredNonces(sql: Sql, nowMs: number): Promise<number> {
  return sql.run('DELETE FROM nonces WHERE expires_at < ?', [nowMs]);
}

/** Nonce rows of many signed requests in one statement: which of them were new (not replays). */
export async function useNonces(
  sql: Sql,
  rows: readonly { shopId: string; nonce: string; expiresAtMs: number }[],
): Promise<Set<string>> {
  const fresh = new Set<string>();
  for (const chunk of powerOfTwoChunks(rows)) {
    const inserted = await sql.all<{ shop_id: string; nonce: string }>(
      `INSERT INTO nonces (shop_id, nonce, expires_at) VALUES ${chunk.map(() => '(?, ?, ?)').join(', ')}
       ON CONFLICT (shop_id, nonce) DO NOTHING RETURNING shop_id, nonce`,
      chunk.flatMap((row) => [row.shopId, row.nonce, row.expiresAtMs]),
    );
    for (const row of inserted) fresh.add(nonceKey(row.shop_id, row.nonce));
  }
  return fresh;
}

export const nonceKey = (shopId: string, nonce: string): string => `${shopId} ${nonce}`;

/**
 * The last visit of each of these shops (and the app version it announced, if any), in one
 * statement per 256 shops. Rows are updated in id order, so two coordinators touching the same
 * shops at once take their row locks in the same order.
 */
export async function touchShops(
  sql: Sql,
  visits: readonly { shopId: string; at: string; appVersion: string | null }[],
): Promise<void> {
  const sorted = [...visits].sort((a, b) =>
    a.shopId < b.shopId ? -1 : a.shopId > b.shopId ? 1 : 0,
  );
  for (const chunk of powerOfTwoChunks(sorted))
    await sql.run(
      `WITH visit (id, at, app) AS (VALUES ${chunk.map(() => '(?, ?, ?)').join(', ')})
       UPDATE shops SET last_seen_at = visit.at, app_version = COALESCE(visit.app, shops.app_version)
       FROM visit WHERE shops.id = visit.id`,
      chunk.flatMap((visit) => [visit.shopId, visit.at, visit.appVersion]),
    );
}
