import { describe, expect, it } from 'vitest';
import { formatLoadResult, runLoadScenario } from '../../simulation/load/load-scenario.ts';

// The shortened CI run; `npm run bench` runs the full 500 shops within one minute.
describe('load: many shops checking in and uploading against one coordinator', () => {
  it('100 shops with their own identities, signed requests spread over 8 s: no error, every upload counted, p99 reported', async () => {
    const result = await runLoadScenario({ shops: 100, spreadMs: 8_000 });
    console.log(formatLoadResult(result).join('\n'));
    expect(result.firstErrors).toEqual([]);
    expect(result.errors).toBe(0);
    expect(result.requests).toBe(400);
    expect(result.round).toEqual({ phase: 'published', uploads: 100, resultVersion: 2 });
    // Generous: CI machines are shared; the figure itself is what the log reports.
    expect(result.all.p99Ms).toBeLessThan(5_000);
    expect(result.wallMs).toBeLessThan(60_000);
  });
});
