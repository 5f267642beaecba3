import { defineConfig } from 'vitest/config';

/**
 * The tests of dates, the bakery's clock and the nightly schedule run again with the process in
 * each of these zones (ahead of UTC, behind it, the southern hemisphere, whose daylight saving
 * runs the other way), so code that reads the machine's zone is caught wherever CI happens to run.
 */
const zones = {
  berlin: 'Europe/Berlin',
  'new-york': 'America/New_York',
  auckland: 'Pacific/Auckland',
};
const clockTests = [
  'test/unit/calendar/**/*.test.ts',
  'test/unit/forecast/scheduler.test.ts',
  'test/unit/logs/daily.test.ts',
  'test/unit/logs/holidays.test.ts',
  'test/unit/logs/location.test.ts',
];

export default defineConfig({
  test: {
    // Timeouts only catch hangs (speed is measured by `npm run bench`): on 2 cores shared with
    // other work, a test that starts CLI children can take several times its usual minute.
    testTimeout: 180_000,
    hookTimeout: 180_000,
    pool: 'forks',
    globalSetup: ['./test/global-setup.ts'],
    reporters: ['default', './test/summary-reporter.ts'],
    projects: [
      {
        extends: true,
        test: {
          name: 'node',
          include: ['test/unit/**/*.test.ts', 'test/integration/**/*.test.ts'],
        },
      },
      ...Object.entries(zones).map(([name, zone]) => ({
        extends: true as const,
        test: { name: `tz-${name}`, include: clockTests, env: { TZ: zone } },
      })),
    ],
  },
});
