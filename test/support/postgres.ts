export { startPostgres, type PostgresServer } from '../../simulation/postgres-server.ts';

/**
 * No PostgreSQL on the machine fails the tests that need it, never skips them silently: CI
 * installs it (.ci/run). A developer without it may set BREADCAST_TEST_POSTGRES=skip, which the
 * tests report as skipped.
 */
export const postgresSkipped = process.env.BREADCAST_TEST_POSTGRES === 'skip';
if (postgresSkipped && process.env.CI)
  throw new Error('BREADCAST_TEST_POSTGRES=skip is refused in CI: the PostgreSQL tests must run');
