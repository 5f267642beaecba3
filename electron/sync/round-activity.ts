/**
 * What this bakery is doing in the running secure round, in words, kept between syncs: the
 * status shows it, and the nightly job keeps polling while there is any.
 */
import type { Db } from '../store/database.ts';
import type { SecureStep } from './secagg-client.ts';

const activityKey = 'sync.roundActivity';

export function saveRoundActivity(db: Db, step: SecureStep | null): void {
  if (
    !step ||
    step.action === 'finished' ||
    step.action === 'not-taking-part' ||
    step.action === 'refused'
  ) {
    db.prepare('DELETE FROM settings WHERE key = ?').run(activityKey);
    return;
  }
  db.prepare(
    'INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value',
  ).run(activityKey, JSON.stringify(step.message));
}

export function roundActivity(db: Db): string | null {
  const row = db
    .prepare<[string], { value: string }>('SELECT value FROM settings WHERE key = ?')
    .get(activityKey);
  return row ? (JSON.parse(row.value) as string) : null;
}
