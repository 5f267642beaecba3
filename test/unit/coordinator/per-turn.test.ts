import { describe, expect, it } from 'vitest';
import { coalesced, perTurn } from '../../../coordinator/rounds/per-turn.ts';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('perTurn', () => {
  it('hands the items of one turn to one write and each caller its own result', async () => {
    const writes: number[][] = [];
    const double = perTurn(async (items: number[]) => {
      writes.push(items);
      return items.map((n) => n * 2);
    });
    expect(await Promise.all([double(1), double(2), double(3)])).toEqual([2, 4, 6]);
    expect(await double(4)).toBe(8);
    expect(writes).toEqual([[1, 2, 3], [4]]);
  });

  it('runs at most `concurrency` writes at once: what arrives while they run goes into the next batch', async () => {
    const writes: number[][] = [];
    let running = 0;
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const write = perTurn(
      async (items: number[]) => {
        expect(running).toBe(0);
        running++;
        writes.push(items);
        if (writes.length === 1) await gate;
        running--;
        return items;
      },
      { concurrency: 1 },
    );
    const first = write(1);
    // The first batch is being written once its write has been called.
    await new Promise<void>((resolve) => {
      const poll = () => (writes.length === 1 ? resolve() : setImmediate(poll));
      poll();
    });
    const later = [write(2), write(3)];
    await new Promise((resolve) => setImmediate(resolve));
    const last = write(4);
    expect(writes).toEqual([[1]]);
    release();
    expect(await Promise.all([first, ...later, last])).toEqual([1, 2, 3, 4]);
    expect(writes).toEqual([[1], [2, 3, 4]]);
  });

  it('with spacingMs, starts the batches of a burst that far apart: what arrives meanwhile, over several turns, waits and goes together', async () => {
    const spacingMs = 1000;
    const writes: { items: number[]; at: number }[] = [];
    const write = perTurn(
      async (items: number[]) => {
        writes.push({ items, at: performance.now() });
        return items;
      },
      { spacingMs },
    );
    const first = write(1);
    await new Promise((resolve) => setImmediate(resolve));
    expect(writes.map((w) => w.items)).toEqual([[1]]);
    const second = write(2);
    await new Promise((resolve) => setImmediate(resolve));
    const third = write(3);
    expect(await Promise.all([first, second, third])).toEqual([1, 2, 3]);
    expect(writes.map((w) => w.items)).toEqual([[1], [2, 3]]);
    // Timers may fire a millisecond early by performance.now()'s clock.
    expect(writes[1]!.at - writes[0]!.at).toBeGreaterThanOrEqual(spacingMs - 2);
  });

  it('rejects every caller of a batch whose write failed, and only them', async () => {
    const write = perTurn(async (items: number[]) => {
      if (items.includes(0)) throw new Error('no zero');
      return items;
    });
    const results = await Promise.allSettled([write(1), write(0)]);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected']);
    expect(await write(5)).toBe(5);
  });
});

describe('coalesced', () => {
  it('never runs twice at once; callers during a run share the next one, which starts after them', async () => {
    const log: string[] = [];
    let running = 0;
    let writes = 0;
    const check = coalesced(async (key: string) => {
      expect(running).toBe(0);
      running++;
      log.push(`start ${key} sees ${writes}`);
      await sleep(20);
      running--;
    });
    writes = 1;
    const first = check('a');
    await sleep(5); // the first run is under way
    writes = 2;
    const second = check('a');
    writes = 3;
    const third = check('a');
    await Promise.all([first, second, third]);
    // Two runs, not three; the second saw every write made before its callers called.
    expect(log).toEqual(['start a sees 1', 'start a sees 3']);
  });

  it('waits `pause` times the last run before the next, but not once it is idle', async () => {
    const starts: number[] = [];
    const ends: number[] = [];
    const check = coalesced(
      async () => {
        starts.push(performance.now());
        await sleep(20);
        ends.push(performance.now());
      },
      { pause: 15 },
    );
    const first = check('a');
    await sleep(5);
    await Promise.all([first, check('a')]);
    // The second run waited 15 times the first run's length after it ended (a 20 ms timer may
    // fire a fraction of a millisecond early, so the length is measured, not assumed).
    const firstRun = ends[0]! - starts[0]!;
    expect(firstRun).toBeGreaterThan(15);
    expect(starts[1]! - ends[0]!).toBeGreaterThanOrEqual(15 * firstRun - 1);
    // Idle, nothing to pace: a caller need not wait another 300 ms.
    await sleep(50);
    const idle = performance.now();
    await check('a');
    expect(starts[2]! - idle).toBeLessThan(200);
  });
});
