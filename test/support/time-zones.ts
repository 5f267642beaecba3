/**
 * Runs work with the process in another time zone, as if the machine were set to it: Node re-reads
 * the TZ variable when it changes, so Date, Intl and the Temporal polyfill all follow.
 */
export async function inTimeZone<T>(zone: string, work: () => Promise<T> | T): Promise<T> {
  const before = process.env.TZ;
  process.env.TZ = zone;
  try {
    return await work();
  } finally {
    if (before === undefined) delete process.env.TZ;
    else process.env.TZ = before;
  }
}

/** The zones the date tests run in: ahead of UTC, behind it, and far ahead on the southern side. */
export const testZones = ['Europe/Berlin', 'America/New_York', 'Pacific/Auckland'] as const;
