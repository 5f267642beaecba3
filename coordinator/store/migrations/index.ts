import type { Migration } from '../../../federated/storage/sqlite.ts';
import initialPostgres from './001-initial.postgres.ts';
import initialSqlite from './001-initial.ts';
import scheduledRunsPostgres from './002-scheduled-runs.postgres.ts';
import scheduledRunsSqlite from './002-scheduled-runs.ts';
import shopRefusalsPostgres from './003-shop-refusals.postgres.ts';
import shopRefusalsSqlite from './003-shop-refusals.ts';
import secaggMessagesPostgres from './004-secagg-messages.postgres.ts';
import secaggMessagesSqlite from './004-secagg-messages.ts';
import phaseStateTagPostgres from './005-phase-state-tag.postgres.ts';
import phaseStateTagSqlite from './005-phase-state-tag.ts';

/**
 * Each schema step in both dialects, so the two stores can never drift apart by a step.
 * Ordered; the position is the schema version. Append only; applied steps are hashed.
 */
const steps: { name: string; sqlite: string; postgres: string; rebuildsTables?: true }[] = [
  { name: 'initial', sqlite: initialSqlite, postgres: initialPostgres },
  { name: 'scheduled-runs', sqlite: scheduledRunsSqlite, postgres: scheduledRunsPostgres },
  { name: 'shop-refusals', sqlite: shopRefusalsSqlite, postgres: shopRefusalsPostgres },
  {
    name: 'secagg-messages',
    sqlite: secaggMessagesSqlite,
    postgres: secaggMessagesPostgres,
    rebuildsTables: true,
  },
  { name: 'phase-state-tag', sqlite: phaseStateTagSqlite, postgres: phaseStateTagPostgres },
];

export const sqliteMigrations: Migration[] = steps.map(({ name, sqlite, rebuildsTables }) => ({
  name,
  sql: sqlite,
  ...(rebuildsTables ? { rebuildsTables } : {}),
}));

export const postgresMigrations: Migration[] = steps.map(({ name, postgres }) => ({
  name,
  sql: postgres,
}));
