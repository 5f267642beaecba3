import { describe, expect, it } from 'vitest';
import { formatSecureLoad, runSecureLoad } from '../../simulation/load/secure-load.ts';

// The shortened CI run of `npm run bench -- --only load --secure --shops N`.
describe('load: a secure round against the coordinator service', () => {
  it('8 shops run the app’s secure-round client over HTTP through every phase and the round publishes', async () => {
    // Two shop processes: the path the large runs take (the bench process's own path is the same code).
    const result = await runSecureLoad({ shops: 8, pollMs: 500, processes: 2 });
    console.log(formatSecureLoad(result).join('\n'));
    expect(result.round).toMatchObject({ phase: 'published', resultVersion: 2 });
    expect(result.processes).toBe(2);
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
    // (once per process: each keeps its own record of the checks it made)
    expect(result.signatureChecks.reused).toBeGreaterThanOrEqual(6 * 8);
    // The graph likewise: one build per process, the other shops reuse it.
    expect(result.graphs).toMatchObject({ shared: true, built: 2, reused: 6 });
    // And the documents every shop receives byte for byte (roster, survivor set, unmask request):
    // parsed once per process, reused by its other shops (more when a read was retried).
    expect(result.documents).toMatchObject({ shared: true, parsed: 6 });
    expect(result.documents.reused).toBeGreaterThanOrEqual(3 * 6);
  }, 600_000);
});
