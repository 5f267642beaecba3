import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  backupDirectory,
  createBackup,
  ensureDailyBackup,
  keep,
  listBackups,
} from '../../../electron/logs/backup.ts';
import { testBackend, type TestBackend } from './api.ts';
import { tempDb } from './helpers.ts';

let backend: TestBackend | undefined;
afterEach(() => backend?.close());

describe('backups', () => {
  it('takes one daily backup when the backend opens, and keeps the last 7 days', async () => {
    const { db, path } = tempDb();
    for (let day = 1; day <= 10; day++) {
      const now = new Date(`2024-03-${String(day).padStart(2, '0')}T08:00:00`);
      expect(await ensureDailyBackup(db, path, now)).not.toBeNull();
      expect(await ensureDailyBackup(db, path, now)).toBeNull();
    }
    const daily = listBackups(path).filter((b) => b.kind === 'daily');
    expect(daily).toHaveLength(keep.daily);
    expect(daily.map((b) => b.name).sort()[0]).toBe('bakery-daily-2024-03-04.sqlite');
    db.close();
  });

  it('restores a chosen backup in place through the API, keeping a safety copy; handles others hold stay valid', async () => {
    backend = testBackend();
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(listBackups(backend.path).some((b) => b.kind === 'daily')).toBe(true);
    const roll = await backend.ok('products.create', { name: 'Roll', category: 'rolls' });
    await backend.ok('logs.saveRow', {
      date: '2024-03-10',
      productId: roll.id,
      baked: 10,
      sold: 10,
      wasted: 0,
    });
    const manual = await backend.ok('backups.create', {});
    expect(manual.kind).toBe('manual');
    await backend.ok('products.create', { name: 'Cake', category: 'cake' });
    await backend.ok('logs.saveRow', {
      date: '2024-03-10',
      productId: roll.id,
      baked: 10,
      sold: 7,
      wasted: 3,
    });

    const held = backend.context.db; // as a scheduler or sync client would keep it
    const restored = await backend.ok('backups.restore', { name: manual.name });
    expect(backend.context.db).toBe(held);
    expect(held.prepare('SELECT count(*) AS n FROM products').get()).toEqual({ n: 1 });
    expect(restored.safetyCopy.kind).toBe('safety');
    expect((await backend.ok('products.list', {})).products.map((p) => p.name)).toEqual(['Roll']);
    expect((await backend.ok('logs.day', { date: '2024-03-10' })).rows[0]?.log?.sold).toBe(10);

    // The safety copy brings the undone changes back.
    await backend.ok('backups.restore', { name: restored.safetyCopy.name });
    expect((await backend.ok('products.list', {})).products).toHaveLength(2);
    const { backups } = await backend.ok('backups.list', {});
    expect(backups.filter((b) => b.kind === 'safety')).toHaveLength(2);
  });

  it('refuses a damaged or foreign backup and leaves the database in place', async () => {
    backend = testBackend();
    await backend.ok('products.create', { name: 'Roll', category: 'rolls' });
    const dir = backupDirectory(backend.path);
    writeFileSync(join(dir, 'bakery-manual-2024-01-01T000000.sqlite'), 'this is not a database');
    const damaged = await backend.call('backups.restore', {
      name: 'bakery-manual-2024-01-01T000000.sqlite',
    });
    expect(damaged.ok ? null : damaged.error.reason).toMatchObject({
      code: 'refusal.backupUnreadable',
      params: { name: 'bakery-manual-2024-01-01T000000.sqlite' },
    });
    const missing = await backend.call('backups.restore', { name: '../bakery.sqlite' });
    expect(missing.ok ? null : missing.error.code).toBe('not-found');
    expect((await backend.ok('products.list', {})).products).toHaveLength(1);
  });

  it('backs up online while the database is in use (WAL), not by copying the file', async () => {
    const { db, path } = tempDb();
    db.exec("INSERT INTO settings (key, value) VALUES ('shopName', '\"Open\"')");
    const info = await createBackup(db, path, 'manual', new Date('2024-03-10T12:00:00Z'));
    expect(info.name).toBe('bakery-manual-2024-03-10T120000000.sqlite');
    expect(existsSync(join(backupDirectory(path), info.name))).toBe(true);
    db.close();
  });
});
