import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { bakeryChainCsv } from '../../electron/logs/demo.ts';
import { simulate } from '../../simulation/simulate.ts';
import { startFlakyProxy, type CutPolicy } from '../support/flaky-proxy.ts';

const dir = mkdtempSync(join(tmpdir(), 'breadcast-sim-faults-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Three stores of the shipped chain file, the last five months: a small, real consortium. */
function slice(): string {
  const [header, ...lines] = readFileSync(bakeryChainCsv, 'utf8').trim().split('\n');
  const kept = lines.filter((line) => {
    const [date, store] = line.split(',');
    return date! >= '2018-12-01' && ['2', '17', '25'].includes(store!);
  });
  const path = join(dir, 'chain.csv');
  writeFileSync(path, [header, ...kept].join('\n') + '\n');
  return path;
}

const portOf = (url: string) => Number(new URL(url).port);
const shop = 'chain#17';

async function simulateWithProxy(policy: CutPolicy, operatorPolicy?: CutPolicy) {
  const proxies: Awaited<ReturnType<typeof startFlakyProxy>>[] = [];
  const operatorProxies: Awaited<ReturnType<typeof startFlakyProxy>>[] = [];
  try {
    const result = await simulate({
      files: [slice()],
      holdoutDays: 14,
      trainDays: 60,
      rounds: 2,
      round: { localEpochs: 1 },
      shopUrl: async (bakery, url) => {
        if (bakery !== shop) return url;
        const proxy = await startFlakyProxy(portOf(url), { current: policy });
        proxies.push(proxy);
        return proxy.url;
      },
      ...(operatorPolicy
        ? {
            operatorUrl: async (url: string) => {
              const proxy = await startFlakyProxy(portOf(url), { current: operatorPolicy });
              operatorProxies.push(proxy);
              return proxy.url;
            },
          }
        : {}),
    });
    return {
      result,
      cuts: proxies[0]!.cuts(),
      operatorCuts: operatorProxies[0]?.cuts() ?? [],
    };
  } finally {
    for (const p of [...proxies, ...operatorProxies]) await p.close();
  }
}

/** Cuts the first request whose line starts with one of `prefixes`, each once; logs every line. */
function cutFirst(cuts: Record<string, 'request' | 'answer'>, seen: string[]): CutPolicy {
  const done = new Set<string>();
  return (line) => {
    seen.push(line);
    const prefix = Object.keys(cuts).find((p) => line.startsWith(p) && !done.has(p));
    if (!prefix) return null;
    done.add(prefix);
    return { during: cuts[prefix]!, at: cuts[prefix] === 'answer' ? 10 : 0 };
  };
}

describe('simulate survives a shop losing its connection', () => {
  it('retries a cut upload like the outbox: every round publishes with every shop counted once', async () => {
    // Round 1: the update is cut while it is sent (the coordinator never gets it whole).
    // Round 2: cut while the answer comes back (the coordinator took it; the shop cannot know).
    const cutOnce = new Set<string>();
    const { result, cuts } = await simulateWithProxy((line) => {
      const match = /^POST \/v1\/rounds\/(\d+)\/update /.exec(line);
      if (!match || cutOnce.has(match[1]!)) return null;
      cutOnce.add(match[1]!);
      return match[1] === '1' ? { during: 'request', at: 1500 } : { during: 'answer', at: 10 };
    });
    expect(cuts.map((c) => c.during)).toEqual(['request', 'answer']);
    expect(result.roundLog.map((r) => [r.phase, r.uploads, r.failures])).toEqual([
      ['published', 3, []],
      ['published', 3, []],
    ]);
    expect(result.excluded).toEqual([]);
    for (const s of result.shops) {
      expect(s.failures).toEqual([]);
      expect(s.wape.federated).toBeGreaterThan(0.02);
      expect(s.wape.federated).toBeLessThan(1);
    }
  });

  it('retries the setup: a lost enrolment answer, invite and round opening cut, the run still completes', async () => {
    const shopLines: string[] = [];
    const operatorLines: string[] = [];
    const { result, cuts, operatorCuts } = await simulateWithProxy(
      // The coordinator enrols the shop, but the shop never hears so.
      cutFirst({ 'POST /v1/enrol ': 'answer' }, shopLines),
      cutFirst(
        {
          'POST /v1/operator/invites ': 'request',
          // The round opens, but the operator never hears so: its retry must not open a second.
          'POST /v1/operator/rounds ': 'answer',
        },
        operatorLines,
      ),
    );
    expect(cuts.map((c) => [c.request.split(' ')[1], c.during])).toEqual([['/v1/enrol', 'answer']]);
    expect(operatorCuts.map((c) => [c.request.split(' ')[1], c.during])).toEqual([
      ['/v1/operator/invites', 'request'],
      ['/v1/operator/rounds', 'answer'],
    ]);
    expect(shopLines.filter((l) => l.startsWith('POST /v1/enrol ')).length).toBe(2);
    // The shop enrolled by the lost attempt is revoked, so no round waits for it.
    expect(
      operatorLines.filter((l) => /^POST \/v1\/operator\/shops\/[^/]+\/revoke /.test(l)),
    ).toHaveLength(1);
    expect(operatorLines.filter((l) => l.startsWith('POST /v1/operator/rounds ')).length).toBe(3);
    expect(result.roundLog.map((r) => [r.id, r.phase, r.uploads, r.failures])).toEqual([
      [1, 'published', 3, []],
      [2, 'published', 3, []],
    ]);
    expect(result.excluded).toEqual([]);
    for (const s of result.shops) expect(s.failures).toEqual([]);
  });

  it('a shop cut off for good fails in its own row; the others finish every round', async () => {
    let enrolled = false;
    const { result, cuts } = await simulateWithProxy((line) => {
      if (line.startsWith('POST /v1/enrol ')) {
        enrolled = true;
        return null;
      }
      return enrolled ? { during: 'request', at: 0 } : null;
    });
    expect(cuts.length).toBeGreaterThan(0);
    expect(result.roundLog.map((r) => [r.phase, r.uploads])).toEqual([
      ['published', 2],
      ['published', 2],
    ]);
    const [cutOff] = result.shops.filter((s) => s.id === shop);
    expect(cutOff!.failures.map((f) => [f.stage, f.round])).toEqual([
      ['round', 1],
      ['round', 2],
      ['final sync', null],
      ['federated', null],
    ]);
    expect(cutOff!.failures[0]!.message).toMatch(/cannot be reached/);
    expect(cutOff!.wape.federated).toBeNull();
    // Its own model and the pooled one still score it; it stays out of the overall row only.
    expect(cutOff!.wape.local).toBeGreaterThan(0.02);
    expect(result.excluded).toEqual([shop]);
    for (const s of result.shops.filter((x) => x.id !== shop)) expect(s.failures).toEqual([]);
  });
});
