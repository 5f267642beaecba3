import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { audit } from '../store/database.ts';
import type { Sql } from '../store/sql.ts';
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

export async function operatorCount(sql: Sql): Promise<number> {
  return (await sql.get<{ c: number }>('SELECT COUNT(*) AS c FROM operators'))!.c;
}

export async function createOperator(
  sql: Sql,
  name: string,
  password: string,
  now = new Date(),
): Promise<OperatorRow> {
  if (password.length < 12) throw new Error('an operator password needs at least 12 characters');
  const hash = await hashPassword(password);
  return sql.transaction(async (tx) => {
    const row = await tx.get<OperatorRow>(
      'INSERT INTO operators (name, password_hash, created_at) VALUES (?, ?, ?) RETURNING *',
      [name.trim(), hash, now.toISOString()],
    );
    await audit(tx, 'system', 'operator.created', { name: name.trim() }, now);
    return row!;
  });
}

export async function authenticate(
  sql: Sql,
  name: string,
  password: string,
): Promise<OperatorRow | null> {
  const row = await sql.get<OperatorRow>('SELECT * FROM operators WHERE name = ?', [name.trim()]);
  const ok = await verifyPassword(password, row?.password_hash ?? decoyHash);
  return row && ok && !row.disabled_at ? row : null;
}

/** Returns the cookie value; only its hash is stored, with the CSRF token bound to it. */
export async function createSession(
  sql: Sql,
  operatorId: number,
  now: Date,
): Promise<{ cookie: string; csrfToken: string; expiresAt: Date }> {
  const cookie = randomBytes(32).toString('base64url');
  const csrfToken = randomBytes(24).toString('base64url');
  const expiresAt = new Date(now.getTime() + sessionHours * 3600_000);
  await sql.run('DELETE FROM sessions WHERE expires_at < ?', [now.toISOString()]);
  await sql.run(
    'INSERT INTO sessions (id_hash, operator_id, csrf_token, created_at, expires_at) VALUES (?, ?, ?, ?, ?)',
    [sha256(cookie), operatorId, csrfToken, now.toISOString(), expiresAt.toISOString()],
  );
  return { cookie, csrfToken, expiresAt };
}

export async function lookupSession(
  sql: Sql,
  cookie: string,
  now: Date,
): Promise<SessionInfo | null> {
  const row = await sql.get<{
    operator_id: number;
    name: string;
    csrf_token: string;
    expires_at: string;
    disabled_at: string | null;
  }>(
    `SELECT s.operator_id, o.name, s.csrf_token, s.expires_at, o.disabled_at
     FROM sessions s JOIN operators o ON o.id = s.operator_id WHERE s.id_hash = ?`,
    [sha256(cookie)],
  );
  if (!row || row.disabled_at || Date.parse(row.expires_at) <= now.getTime()) return null;
  return {
    operatorId: row.operator_id,
    operator: row.name,
    csrfToken: row.csrf_token,
    expiresAt: row.expires_at,
  };
}

export async function deleteSession(sql: Sql, cookie: string): Promise<void> {
  await sql.run('DELETE FROM sessions WHERE id_hash = ?', [sha256(cookie)]);
}

export function csrfMatches(expected: string, given: string | undefined): boolean {
  if (!given) return false;
  const a = Buffer.from(expected);
  const b = Buffer.from(given);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** One-time setup link for the first operator, printed at first start when none exists. */
export async function createSetupToken(sql: Sql, now: Date, validHours = 24): Promise<string> {
  const token = randomBytes(24).toString('base64url');
  await sql.run('INSERT INTO setup_tokens (token_hash, created_at, expires_at) VALUES (?, ?, ?)', [
    sha256(token),
    now.toISOString(),
    new Date(now.getTime() + validHours * 3600_000).toISOString(),
  ]);
  return token;
}

export async function consumeSetupToken(sql: Sql, token: string, now: Date): Promise<boolean> {
  const used = await sql.run(
    'UPDATE setup_tokens SET used_at = ? WHERE token_hash = ? AND used_at IS NULL AND expires_at > ?',
    [now.toISOString(), sha256(token), now.toISOString()],
  );
  return used === 1;
}
