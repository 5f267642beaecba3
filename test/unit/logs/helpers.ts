import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach } from 'vitest';
import { openDatabase, type Db } from '../../../electron/store/database.ts';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

export function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'breadcast-logs-'));
  dirs.push(dir);
  return dir;
}

export function tempDb(): { db: Db; path: string; dir: string } {
  const dir = tempDir();
  const path = join(dir, 'bakery.sqlite');
  return { db: openDatabase(path), path, dir };
}

export function writeCsv(dir: string, name: string, text: string | Buffer): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

/** A hash over every row of every table, in a fixed order: equal hashes mean equal contents. */
export function contentHash(db: Db): string {
  const hash = createHash('sha256');
  const tables = db
    .prepare<[], { name: string }>(
      "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name",
    )
    .all();
  for (const { name } of tables) {
    hash.update(`#${name}\n`);
    for (const row of db.prepare(`SELECT * FROM "${name}" ORDER BY 1, 2`).raw().all())
      hash.update(JSON.stringify(row) + '\n');
  }
  return hash.digest('hex');
}
