import { describe, expect, it } from 'vitest';
import { formatSecureLoad, runSecureLoad } from '../../simulation/load/secure-load.ts';

// The shortened CI run of `npm run bench -- --only load --secure --shops N`.
describe('load: a secure round against the coordinator service', () => {
  it('8 shops run the app’s secure-round client over HTTP through every phase and the round publishes', async () => {
    const result = await runSecureLoad({ shops: 8, pollMs: 500 });
    console.log(formatSecureLoad(result).join('\n'));
    expect(result.round).toMatchObject({ phase: 'published', resultVersion: 2 });
    expect(result.outcomes).toEqual({ finished: 8 });
    expect(result.parameters).toBeGreaterThan(1000);
    for (const kind of ['advertise', 'shares', 'masked', 'confirm', 'unmask'])
      expect(result.byRequest[kind]?.count, kind).toBe(8);
    expect(Object.keys(result.round.phaseEndsSeconds)).toEqual([
      'open',
      'advertise',
      'share',
      'collect',
      'confirm',
      'unmask',
      'aggregating',
    ]);
    expect(result.cpuSeconds.coordinator).toBeGreaterThan(0);
    // The harness option: each roster line is checked once for real, the other shops reuse it.
    expect(result.signatureChecks.shared).toBe(true);
    expect(result.signatureChecks.checked).toBeGreaterThanOrEqual(8);
    expect(result.signatureChecks.reused).toBeGreaterThanOrEqual(7 * 8);
  }, 600_000);
});
