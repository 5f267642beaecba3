import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { audit, type Db } from '../store/database.ts';
import { decoyHash, hashPassword, verifyPassword } from './passwords.ts';

export type OperatorRow = {
  id: number;
  name: string;
  password_hash: string;
  created_at: string;
  disabled_at: string | null;
};
export type SessionInfo = {
  operatorId: number;
  operator: string;
  csrfToken: string;
  expiresAt: string;
};

const sessionHours = 12;
const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

export function operatorCount(db: Db): number {
  return db.prepare<[], { c: number }>('SELECT COUNT(*) AS c FROM operators').get()!.c;
}

export async function createOperator(
  db: Db,
  name: string,
  password: string,
  now = new Date(),
): Promise<OperatorRow> {
  if (password.length < 12) throw new Error('an operator password needs at least 12 characters');
  const hash = await hashPassword(password);
  const info = db
    .prepare('INSERT INTO operators (name, password_hash, created_at) VALUES (?, ?, ?)')
    .run(name.trim(), hash, now.toISOString());
  audit(db, 'system', 'operator.created', { name: name.trim() }, now);
  return db
    .prepare<[number], OperatorRow>('SELECT * FROM operators WHERE id = ?')
    .get(Number(info.lastInsertRowid))!;
}

export async function authenticate(
  db: Db,
  name: string,
  password: string,
): Promise<OperatorRow | null> {
  const row = db
    .prepare<[string], OperatorRow>('SELECT * FROM operators WHERE name = ?')
    .get(name.trim());
  const ok = await verifyPassword(password, row?.password_hash ?? decoyHash);
  return row && ok && !row.disabled_at ? row : null;
}

/** Returns the cookie value; only its hash is stored, with the CSRF token bound to it. */
export function createSession(
  db: Db,
  operatorId: number,
  now: Date,
): { cookie: string; csrfToken: string; expiresAt: Date } {
  const cookie = randomBytes(32).toString('base64url');
  const csrfToken = randomBytes(24).toString('base64url');
  const expiresAt = new Date(now.getTime() + sessionHours * 3600_000);
  db.prepare('DELETE FROM sessions WHERE expires_at < ?').run(now.toISOString());
  db.prepare(
    'INSERT INTO sessions (id_hash, operator_id, csrf_token, created_at, expires_at) VALUES (?, ?, ?, ?, ?)',
  ).run(sha256(cookie), operatorId, csrfToken, now.toISOString(), expiresAt.toISOString());
  return { cookie, csrfToken, expiresAt };
}

export function lookupSession(db: Db, cookie: string, now: Date): SessionInfo | null {
  const row = db
    .prepare<
      [string],
      {
        operator_id: number;
        name: string;
        csrf_token: string;
        expires_at: string;
        disabled_at: string | null;
      }
    >(
      `SELECT s.operator_id, o.name, s.csrf_token, s.expires_at, o.disabled_at
       FROM sessions s JOIN operators o ON o.id = s.operator_id WHERE s.id_hash = ?`,
    )
    .get(sha256(cookie));
  if (!row || row.disabled_at || Date.parse(row.expires_at) <= now.getTime()) return null;
  return {
    operatorId: row.operator_id,
    operator: row.name,
    csrfToken: row.csrf_token,
    expiresAt: row.expires_at,
  };
}

export function deleteSession(db: Db, cookie: string): void {
  db.prepare('DELETE FROM sessions WHERE id_hash = ?').run(sha256(cookie));
}

export function csrfMatches(expected: string, given: string | undefined): boolean {
  if (!given) return false;
  const a = Buffer.from(expected);
  const b = Buffer.from(given);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** One-time setup link for the first operator, printed at first start when none exists. */
export function createSetupToken(db: Db, now: Date, validHours = 24): string {
  const token = randomBytes(24).toString('base64url');
  db.prepare('INSERT INTO setup_tokens (token_hash, created_at, expires_at) VALUES (?, ?, ?)').run(
    sha256(token),
    now.toISOString(),
    new Date(now.getTime() + validHours * 3600_000).toISOString(),
  );
  return token;
}

export function consumeSetupToken(db: Db, token: string, now: Date): boolean {
  return (
    db
      .prepare(
        'UPDATE setup_tokens SET used_at = ? WHERE token_hash = ? AND used_at IS NULL AND expires_at > ?',
      )
      .run(now.toISOString(), sha256(token), now.toISOString()).changes === 1
  );
}
