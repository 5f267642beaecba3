/**
 * Resolves on the first Ctrl-C or SIGTERM, so a command can close its servers cleanly. Call it
 * before printing the line a user or a script waits for: a signal sent in between would otherwise
 * find no handler and kill the process uncleanly.
 */
export function untilInterrupted(): Promise<void> {
  return new Promise((resolve) => {
    const stop = () => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolve();
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
}
