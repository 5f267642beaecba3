import { join } from 'node:path';

/**
 * The bakery database: `<userData>/breadcast.sqlite`, unless BREADCAST_DB names another file
 * (tests give each run a fresh one; `breadcast start` passes the one it chose).
 */
export function databasePathFor(userData: string, env: NodeJS.ProcessEnv): string {
  const override = env.BREADCAST_DB?.trim();
  return override ? override : join(userData, 'breadcast.sqlite');
}

/** Files of a build, laid out by build/compile-electron.mjs and vite under dist/. */
export function shellFiles(electronDist: string) {
  return {
    preload: join(electronDist, 'preload.cjs'),
    backendEntry: join(electronDist, 'backend-process.cjs'),
    trayIcon: join(electronDist, 'tray.png'),
    windowIcon: join(electronDist, 'icon.png'),
    rendererRoot: join(electronDist, '..', 'renderer'),
  };
}
