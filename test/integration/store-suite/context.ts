/**
 * What every case of the store suite gets: the store under test and helpers shared by the
 * cases. The suite itself (store-suite.test.ts) runs every case against both stores.
 */
import { pino } from 'pino';
import { RoundEngine } from '../../../coordinator/rounds/engine.ts';
import { plainMode } from '../../../coordinator/rounds/plain-mode.ts';
import type { CoordinatorStore } from '../../../coordinator/store/sql.ts';
import { encodeFloat32, sha256Hex, type RoundSettings } from '../../../federated/protocol/index.ts';
import type { StoreTarget } from '../../support/store-targets.ts';

export type SuiteContext = {
  target: StoreTarget;
  /** An empty, migrated database, closed after the suite. */
  fresh: () => Promise<{ store: CoordinatorStore; database: string }>;
  /** Another connection to the same database (a second coordinator instance), closed after the suite. */
  connect: (database: string) => Promise<CoordinatorStore>;
};

export const silent = pino({ level: 'silent' });

export function updateBody(values: number[], modelVersion = 1) {
  const delta = encodeFloat32(Float32Array.from(values));
  return {
    modelVersion,
    parameterCount: values.length,
    sampleCount: 10,
    encoding: 'f32le-base64' as const,
    delta,
    sha256: sha256Hex(Buffer.from(delta, 'base64')),
  };
}

export const collecting: Partial<RoundSettings> = {
  mode: 'plain',
  minShops: 2,
  weighting: 'equal',
  clipNorm: 10,
  serverOptimizer: { kind: 'fedavg', learningRate: 1 },
  deadlines: {
    openSeconds: 0,
    advertiseSeconds: 3600,
    shareSeconds: 3600,
    collectSeconds: 3600,
    confirmSeconds: 3600,
    unmaskSeconds: 3600,
  },
};

export function engineOn(store: CoordinatorStore): RoundEngine {
  return new RoundEngine({
    store,
    log: silent,
    now: () => new Date(),
    modes: [plainMode],
    schedule: false,
  });
}
