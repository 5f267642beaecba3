import type { Migration } from '../../../federated/storage/sqlite.ts';
import initial from './001-initial.ts';
import shopRefusals from './002-shop-refusals.ts';

/** Ordered; the position is the schema version. Append only. */
export const sqliteMigrations: Migration[] = [
  { name: 'initial', sql: initial },
  { name: 'shop-refusals', sql: shopRefusals },
];
