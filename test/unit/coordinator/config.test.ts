import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadCoordinatorConfig } from '../../../coordinator/config.ts';
import { tempDir } from '../../integration/coordinator-harness.ts';

describe('coordinator configuration', () => {
  it('layers flags over environment over file over defaults', () => {
    const file = join(tempDir('breadcast-config-'), 'c.json');
    writeFileSync(file, JSON.stringify({ db: 'from-file.db', port: 7000, logLevel: 'warn' }));
    const env = { BREADCAST_COORDINATOR_PORT: '7100', BREADCAST_COORDINATOR_TRUST_PROXY: 'true' };
    expect(loadCoordinatorConfig({}, { file, env })).toMatchObject({
      database: 'from-file.db',
      port: 7100,
      logLevel: 'warn',
      trustProxy: true,
      host: '127.0.0.1',
    });
    expect(loadCoordinatorConfig({ port: '7200', db: 'flag.db' }, { file, env })).toMatchObject({
      database: 'flag.db',
      port: 7200,
    });
    // --database (or its environment variable) names the same setting, and wins over --db.
    const url = 'postgres://breadcast@db.example/consortium';
    expect(
      loadCoordinatorConfig(
        { db: 'flag.db', database: url },
        { file, env: { ...env, BREADCAST_COORDINATOR_DATABASE_POOL_SIZE: '25' } },
      ),
    ).toMatchObject({ database: url, databasePoolSize: 25 });
    expect(
      loadCoordinatorConfig({}, { file, env: { ...env, BREADCAST_COORDINATOR_DATABASE: url } })
        .database,
    ).toBe(url);
  });

  it('explains what is wrong', () => {
    expect(() => loadCoordinatorConfig({}, { env: {} })).toThrow(/db/);
    expect(() => loadCoordinatorConfig({ db: 'x', port: '99999' }, { env: {} })).toThrow(/port/);
    expect(() => loadCoordinatorConfig({ db: 'x', tlsCert: 'c.pem' }, { env: {} })).toThrow(
      /tlsCert and tlsKey/,
    );
    expect(() =>
      loadCoordinatorConfig({ db: 'x' }, { file: '/nonexistent.json', env: {} }),
    ).toThrow(/cannot read/);
  });
});
