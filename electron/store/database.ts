import { openMigratedDatabase, type Db } from '../../federated/storage/sqlite.ts';
import { migrations } from './migrations/index.ts';

export type { Db };
export { StoreError, checkIntegrity } from '../../federated/storage/sqlite.ts';

export const schemaVersion = migrations.length;

/** The bakery's own database: every product, log and model stays in this one file. */
export function openDatabase(path: string, options: { readonly?: boolean } = {}): Db {
  return openMigratedDatabase(path, migrations, { ...options, product: 'Breadcast bakery' });
}
