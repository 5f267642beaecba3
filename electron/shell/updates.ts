/**
 * Auto-update runs only in a packaged app on a user's machine: never from a checkout
 * (`npm start`), never under a test runner, and never when BREADCAST_NO_UPDATE is set.
 */
export function shouldAutoUpdate(isPackaged: boolean, env: NodeJS.ProcessEnv): boolean {
  if (!isPackaged) return false;
  if (env.VITEST || env.NODE_ENV === 'test' || env.PLAYWRIGHT_TEST) return false;
  if (env.BREADCAST_NO_UPDATE) return false;
  return true;
}

/**
 * Checks the publish feed of build/electron-builder.config.cjs and installs a downloaded update
 * on the next quit. Loaded lazily so unpackaged runs never touch electron-updater.
 */
export async function startAutoUpdate(log: (line: string) => void): Promise<void> {
  const { autoUpdater } = await import('electron-updater');
  autoUpdater.autoDownload = true;
  autoUpdater.autoInstallOnAppQuit = true;
  autoUpdater.on('error', (error: Error) => log(`Update check failed: ${error.message}`));
  await autoUpdater.checkForUpdatesAndNotify().catch((error: Error) => {
    log(`Update check failed: ${error.message}`);
  });
}
