import {
  coordinatorSettings,
  defaultRoundSettings,
  type CoordinatorSettings,
} from '../../federated/protocol/index.ts';
import type { Db } from './database.ts';

export function getSetting<T>(db: Db, key: string): T | undefined {
  const row = db
    .prepare<[string], { value: string }>('SELECT value FROM settings WHERE key = ?')
    .get(key);
  return row ? (JSON.parse(row.value) as T) : undefined;
}

export function putSetting(db: Db, key: string, value: unknown): void {
  db.prepare(
    'INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value',
  ).run(key, JSON.stringify(value));
}

export const defaultCoordinatorSettings: CoordinatorSettings = {
  schedule: '0 1 * * *',
  round: defaultRoundSettings,
  privacy: { delta: 1e-5, budget: null },
};

/** Operator settings; stored values are re-validated so an old row cannot smuggle bad values in. */
export function loadCoordinatorSettings(db: Db): CoordinatorSettings {
  const stored = getSetting<unknown>(db, 'coordinator');
  if (stored === undefined) return defaultCoordinatorSettings;
  return coordinatorSettings.parse(stored);
}

export function saveCoordinatorSettings(db: Db, settings: CoordinatorSettings): void {
  putSetting(db, 'coordinator', coordinatorSettings.parse(settings));
}
