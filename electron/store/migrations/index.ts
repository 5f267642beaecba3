import initial from './001-initial.ts';

export type Migration = { name: string; sql: string };

/** Ordered; the position is the schema version. Append only. */
export const migrations: Migration[] = [{ name: 'initial', sql: initial }];
