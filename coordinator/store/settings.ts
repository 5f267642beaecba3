import {
  coordinatorSettings,
  defaultRoundSettings,
  type CoordinatorSettings,
} from '../../federated/protocol/index.ts';
import type { Sql } from './sql.ts';

export async function getSetting<T>(sql: Sql, key: string): Promise<T | undefined> {
  const row = await sql.get<{ value: string }>('SELECT value FROM settings WHERE key = ?', [key]);
  return row ? (JSON.parse(row.value) as T) : undefined;
}

export async function putSetting(sql: Sql, key: string, value: unknown): Promise<void> {
  await sql.run(
    'INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value',
    [key, JSON.stringify(value)],
  );
}

export const defaultCoordinatorSettings: CoordinatorSettings = {
  schedule: '0 1 * * *',
  round: defaultRoundSettings,
  privacy: { delta: 1e-5, budget: null },
};

/** Operator settings; stored values are re-validated so an old row cannot smuggle bad values in. */
export async function loadCoordinatorSettings(sql: Sql): Promise<CoordinatorSettings> {
  const stored = await getSetting<unknown>(sql, 'coordinator');
  if (stored === undefined) return defaultCoordinatorSettings;
  return coordinatorSettings.parse(stored);
}

export async function saveCoordinatorSettings(
  sql: Sql,
  settings: CoordinatorSettings,
): Promise<void> {
  await putSetting(sql, 'coordinator', coordinatorSettings.parse(settings));
}
