import type { Migration } from '../../../federated/storage/sqlite.ts';
import initial from './001-initial.ts';
import privacyPolicy from './002-privacy-policy.ts';
import discreteCharges from './003-discrete-charges.ts';
import forecastBand from './004-forecast-band.ts';
import modelMembers from './005-model-members.ts';

/** Ordered; the position is the schema version. Append only. */
export const migrations: Migration[] = [
  { name: 'initial', sql: initial },
  { name: 'privacy-policy', sql: privacyPolicy },
  { name: 'discrete-charges', sql: discreteCharges },
  { name: 'forecast-band', sql: forecastBand },
  { name: 'model-members', sql: modelMembers },
];
