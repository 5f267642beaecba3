import Database from 'better-sqlite3';
import { copyFileSync, existsSync, mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import { basename, dirname, extname, join } from 'node:path';
import type { BackupInfo } from '../api/contract/data.ts';
import { ApiError } from '../api/dispatcher.ts';
import { checkIntegrity, openDatabase, schemaVersion, type Db } from '../store/database.ts';
import { bakeryDate } from './settings.ts';

/** How many of each kind survive rotation. */
export const keep = { daily: 7, manual: 10, safety: 5 } as const;

export function backupDirectory(databasePath: string): string {
  return join(dirname(databasePath), 'backups');
}

function stem(databasePath: string): string {
  return basename(databasePath, extname(databasePath));
}

const namePattern =
  /^(.+)-(daily|manual|safety)-(\d{4}-\d{2}-\d{2}(?:T\d{6}(?:\d{3})?)?)(?:-\d+)?\.sqlite$/;

export function listBackups(databasePath: string): BackupInfo[] {
  const directory = backupDirectory(databasePath);
  if (!existsSync(directory)) return [];
  const own = stem(databasePath);
  return readdirSync(directory)
    .map((name) => ({ name, match: namePattern.exec(name) }))
    .filter(({ match }) => match !== null && match[1] === own)
    .map(({ name, match }) => {
      const stats = statSync(join(directory, name));
      return {
        name,
        kind: match?.[2] as BackupInfo['kind'],
        createdAt: stats.mtime.toISOString(),
        bytes: stats.size,
      };
    })
    .sort((a, b) => b.createdAt.localeCompare(a.createdAt) || b.name.localeCompare(a.name));
}

function stamp(now: Date): string {
  const iso = now.toISOString();
  return `${iso.slice(0, 10)}T${iso.slice(11, 19).replace(/:/g, '')}${iso.slice(20, 23)}`;
}

/**
 * Online backup through SQLite's backup API: consistent even while the app writes, unlike a
 * file copy of a live WAL database.
 */
export async function createBackup(
  db: Db,
  databasePath: string,
  kind: BackupInfo['kind'],
  now: Date,
): Promise<BackupInfo> {
  const directory = backupDirectory(databasePath);
  mkdirSync(directory, { recursive: true });
  const suffix = kind === 'daily' ? bakeryDate(db, now) : stamp(now);
  // Two backups in the same millisecond (or a fixed test clock) must not overwrite each other.
  let name = `${stem(databasePath)}-${kind}-${suffix}.sqlite`;
  for (let n = 2; kind !== 'daily' && existsSync(join(directory, name)); n++)
    name = `${stem(databasePath)}-${kind}-${suffix}-${n}.sqlite`;
  const target = join(directory, name);
  const partial = `${target}.partial`;
  rmSync(partial, { force: true });
  await db.backup(partial);
  copyFileSync(partial, target);
  rmSync(partial, { force: true });
  rotate(databasePath, kind);
  const info = listBackups(databasePath).find((b) => b.name === name);
  if (!info) throw new Error(`backup ${name} vanished after writing`);
  return info;
}

function rotate(databasePath: string, kind: BackupInfo['kind']): void {
  const directory = backupDirectory(databasePath);
  const ofKind = listBackups(databasePath)
    .filter((b) => b.kind === kind)
    .sort((a, b) => b.name.localeCompare(a.name));
  for (const old of ofKind.slice(keep[kind])) rmSync(join(directory, old.name), { force: true });
}

/** At most one daily backup per calendar day; returns null when today's exists already. */
export async function ensureDailyBackup(
  db: Db,
  databasePath: string,
  now: Date,
): Promise<BackupInfo | null> {
  if (databasePath === ':memory:') return null;
  const today = `${stem(databasePath)}-daily-${bakeryDate(db, now)}.sqlite`;
  if (listBackups(databasePath).some((b) => b.name === today)) return null;
  return createBackup(db, databasePath, 'daily', now);
}

/** Opens a backup read-only and checks it is a healthy database this version can read. */
export function verifyBackup(path: string): void {
  let candidate: Database.Database | undefined;
  try {
    candidate = new Database(path, { readonly: true, fileMustExist: true });
    checkIntegrity(candidate, basename(path));
    const version = Number(candidate.pragma('user_version', { simple: true }));
    if (version > schemaVersion)
      throw new ApiError('bad-request', {
        code: 'refusal.backupNewer',
        params: { name: basename(path) },
      });
    const hasLogs = candidate
      .prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'daily_logs'")
      .get();
    if (!hasLogs)
      throw new ApiError('bad-request', {
        code: 'refusal.notABackup',
        params: { name: basename(path) },
      });
  } catch (error) {
    if (error instanceof ApiError) throw error;
    throw new ApiError('bad-request', {
      code: 'refusal.backupUnreadable',
      params: { name: basename(path), detail: (error as Error).message },
    });
  } finally {
    candidate?.close();
  }
}

/**
 * Replaces the live database's contents with a backup, in place: verify the backup, take a
 * safety copy of the current state, then run SQLite's backup API from the chosen file INTO the
 * live database. The live handle stays valid (every service holding it sees the restored data),
 * so nothing has to swap handles. An older backup is migrated afterwards. If anything fails
 * after the copy started, the safety copy is written back the same way.
 */
export async function restoreBackup(
  db: Db,
  databasePath: string,
  name: string,
  now: Date,
): Promise<{ safetyCopy: BackupInfo }> {
  const chosen = listBackups(databasePath).find((b) => b.name === name);
  if (!chosen) throw new ApiError('not-found', { code: 'refusal.noSuchBackup', params: { name } });
  const source = join(backupDirectory(databasePath), chosen.name);
  verifyBackup(source);
  const safetyCopy = await createBackup(db, databasePath, 'safety', now);
  const copyInto = async (file: string) => {
    const from = new Database(file, { readonly: true, fileMustExist: true });
    try {
      await from.backup(databasePath);
    } finally {
      from.close();
    }
    openDatabase(databasePath).close(); // migrates a backup from an older version
    checkIntegrity(db, databasePath);
  };
  try {
    await copyInto(source);
    return { safetyCopy };
  } catch (error) {
    await copyInto(join(backupDirectory(databasePath), safetyCopy.name));
    throw new ApiError('internal', {
      code: 'refusal.restoreFailed',
      params: { name, detail: (error as Error).message },
    });
  }
}
