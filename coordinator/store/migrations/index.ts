import type { Migration } from '../../../federated/storage/sqlite.ts';
import initial from './001-initial.ts';

/** Ordered; the position is the schema version. Append only. */
export const sqliteMigrations: Migration[] = [{ name: 'initial', sql: initial }];
