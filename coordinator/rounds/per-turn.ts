/**
 * Batches for the busy paths of the upload route. Under a burst, hundreds of requests reach the
 * same step within one turn of the event loop; doing their database work together (one
 * transaction, one commit) and their follow-up checks once costs little more than doing it for
 * one of them.
 */

/**
 * How far apart the batches of a burst start. On SQLite a write takes no time on the event loop's
 * clock, so without it a burst is cut into batches of the few requests that reached the step in
 * one turn (two or three at a few hundred uploads/s), each paying a transaction, its commit and
 * the pages every commit logs again; spaced, a batch holds what arrived in the last few
 * milliseconds. An item arriving after a quiet moment still goes at once.
 */
export const burstSpacingMs = 10;

/**
 * Collects the items passed in one turn of the event loop and hands them to `write` together at
 * its end; each caller gets the result at its own index (or the error of the whole batch). At
 * most `concurrency` writes run at once: items passed while they all run wait and go in the
 * next batch, so the slower each write (a database round trip on a busy machine), the larger
 * the batches, and the number of writes stays bounded however many requests arrive. More than
 * one at a time keeps a few round trips to a database server under way together. With
 * `spacingMs`, a batch starts no sooner than that after the one before it started.
 */
export function perTurn<I, R>(
  write: (items: I[]) => Promise<R[]>,
  options: { concurrency?: number; spacingMs?: number } = {},
): (item: I) => Promise<R> {
  const concurrency = options.concurrency ?? 4;
  const spacingMs = options.spacingMs ?? 0;
  let batch: { item: I; resolve: (r: R) => void; reject: (e: unknown) => void }[] = [];
  let writing = 0;
  let scheduled = false;
  let lastStart = -Infinity;
  const flush = async () => {
    scheduled = false;
    lastStart = performance.now();
    writing++;
    const taken = batch;
    batch = [];
    try {
      const results = await write(taken.map((entry) => entry.item));
      taken.forEach((entry, index) => entry.resolve(results[index]!));
    } catch (error) {
      for (const entry of taken) entry.reject(error);
    } finally {
      writing--;
      schedule();
    }
  };
  const schedule = () => {
    if (scheduled || batch.length === 0 || writing >= concurrency) return;
    scheduled = true;
    const wait = lastStart + spacingMs - performance.now();
    if (wait > 0) setTimeout(() => void flush(), wait);
    else setImmediate(() => void flush());
  };
  return (item) =>
    new Promise<R>((resolve, reject) => {
      batch.push({ item, resolve, reject });
      schedule();
    });
}

/**
 * Runs `run(key)` for every caller, but never twice at once for a key and never more often than
 * needed: a caller that arrives while a run for its key waits to start joins that run (which
 * starts after the call, so it sees what the caller wrote before); one that arrives while a run
 * is under way queues the next. A run that follows another waits `pause` times as long as the
 * last one took, so a check whose cost grows with the round (counting its uploads) takes a
 * bounded share of the time however fast requests arrive.
 */
export function coalesced<K>(
  run: (key: K) => Promise<void>,
  options: { pause?: number } = {},
): (key: K) => Promise<void> {
  const pause = options.pause ?? 0;
  const queued = new Map<K, Promise<void>>();
  const running = new Map<K, Promise<void>>();
  const earliest = new Map<K, number>();
  return (key) => {
    const waiting = queued.get(key);
    if (waiting) return waiting;
    const before = running.get(key) ?? Promise.resolve();
    const next = before
      .catch(() => undefined)
      .then(async () => {
        const wait = (earliest.get(key) ?? 0) - performance.now();
        if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
        queued.delete(key);
        const started = performance.now();
        const current = run(key);
        running.set(key, current);
        return current.finally(() => {
          const ended = performance.now();
          if (pause > 0) earliest.set(key, ended + pause * (ended - started));
          if (running.get(key) === current) {
            running.delete(key);
            if (!queued.has(key)) earliest.delete(key);
          }
        });
      });
    queued.set(key, next);
    return next;
  };
}
