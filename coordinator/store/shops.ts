import { createHash, randomBytes, randomUUID } from 'node:crypto';
import type { Db } from './database.ts';

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
export function createInvite(
  db: Db,
  options: { expiresAt: Date; operatorId: number | null; note?: string },
  now: Date,
): string {
  const alphabet = 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789';
  const bytes = randomBytes(20);
  let code = '';
  for (const byte of bytes) code += alphabet[byte % alphabet.length];
  code = code.match(/.{5}/g)!.join('-');
  db.prepare(
    'INSERT INTO invites (code_hash, created_by, note, created_at, expires_at) VALUES (?, ?, ?, ?, ?)',
  ).run(
    hashCode(code),
    options.operatorId,
    options.note ?? null,
    now.toISOString(),
    options.expiresAt.toISOString(),
  );
  return code;
}

export type EnrolOutcome =
  | { ok: true; shop: ShopRow }
  | { ok: false; reason: 'unknown-invite' | 'expired-invite' | 'used-invite' | 'key-in-use' };

/** Consumes the invite and creates the shop atomically, so a code can never enrol two shops. */
export function enrolShop(
  db: Db,
  request: { inviteCode: string; shopName: string; appVersion: string; publicKey: string },
  now: Date,
): EnrolOutcome {
  return db.transaction((): EnrolOutcome => {
    const invite = db
      .prepare<[string], { expires_at: string; used_at: string | null }>(
        'SELECT expires_at, used_at FROM invites WHERE code_hash = ?',
      )
      .get(hashCode(request.inviteCode));
    if (!invite) return { ok: false, reason: 'unknown-invite' };
    if (invite.used_at) return { ok: false, reason: 'used-invite' };
    if (Date.parse(invite.expires_at) <= now.getTime())
      return { ok: false, reason: 'expired-invite' };
    const keyTaken = db
      .prepare('SELECT 1 FROM credentials WHERE public_key = ?')
      .get(request.publicKey);
    if (keyTaken) return { ok: false, reason: 'key-in-use' };
    const shop: ShopRow = {
      id: `shop_${randomUUID().replaceAll('-', '').slice(0, 16)}`,
      name: request.shopName,
      app_version: request.appVersion,
      enrolled_at: now.toISOString(),
      last_seen_at: now.toISOString(),
      revoked_at: null,
    };
    db.prepare(
      'INSERT INTO shops (id, name, app_version, enrolled_at, last_seen_at) VALUES (@id, @name, @app_version, @enrolled_at, @last_seen_at)',
    ).run(shop);
    db.prepare(
      "INSERT INTO credentials (shop_id, kind, public_key, created_at) VALUES (?, 'ed25519', ?, ?)",
    ).run(shop.id, request.publicKey, now.toISOString());
    db.prepare('UPDATE invites SET used_at = ?, used_by_shop = ? WHERE code_hash = ?').run(
      now.toISOString(),
      shop.id,
      hashCode(request.inviteCode),
    );
    return { ok: true, shop };
  })();
}

export function getShop(db: Db, id: string): ShopRow | undefined {
  return db.prepare<[string], ShopRow>('SELECT * FROM shops WHERE id = ?').get(id);
}

export function activePublicKey(db: Db, shopId: string): string | undefined {
  return db
    .prepare<[string], { public_key: string }>(
      'SELECT public_key FROM credentials WHERE shop_id = ? AND revoked_at IS NULL ORDER BY created_at DESC LIMIT 1',
    )
    .get(shopId)?.public_key;
}

export function revokeShop(db: Db, shopId: string, now: Date): boolean {
  return db.transaction(() => {
    const changed = db
      .prepare('UPDATE shops SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL')
      .run(now.toISOString(), shopId).changes;
    db.prepare(
      'UPDATE credentials SET revoked_at = ? WHERE shop_id = ? AND revoked_at IS NULL',
    ).run(now.toISOString(), shopId);
    return changed > 0;
  })();
}

export function touchShop(db: Db, shopId: string, appVersion: string | undefined, now: Date): void {
  db.prepare(
    'UPDATE shops SET last_seen_at = ?, app_version = COALESCE(?, app_version) WHERE id = ?',
  ).run(now.toISOString(), appVersion ?? null, shopId);
}

export function activeShopCount(db: Db): number {
  return db
    .prepare<[], { c: number }>('SELECT COUNT(*) AS c FROM shops WHERE revoked_at IS NULL')
    .get()!.c;
}

export function listShops(db: Db): (ShopRow & { rounds_joined: number })[] {
  return db
    .prepare<[], ShopRow & { rounds_joined: number }>(
      `SELECT s.*, (SELECT COUNT(*) FROM updates u WHERE u.shop_id = s.id) AS rounds_joined
       FROM shops s ORDER BY s.enrolled_at`,
    )
    .all();
}

/** Records a nonce; false when it was already used inside the window (a replay). */
export function useNonce(
  db: Db,
  shopId: string,
  nonce: string,
  expiresAtMs: number,
  nowMs: number,
): boolean {
  db.prepare('DELETE FROM nonces WHERE expires_at < ?').run(nowMs);
  const result = db
    .prepare('INSERT OR IGNORE INTO nonces (shop_id, nonce, expires_at) VALUES (?, ?, ?)')
    .run(shopId, nonce, expiresAtMs);
  return result.changes === 1;
}
