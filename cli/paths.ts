import { fileURLToPath } from 'node:url';

export const projectRoot = fileURLToPath(new URL('..', import.meta.url));
export const rendererDist = fileURLToPath(new URL('../dist/renderer', import.meta.url));
export const rendererConfig = fileURLToPath(new URL('../renderer/vite.config.ts', import.meta.url));
export const dashboardDist = fileURLToPath(new URL('../dist/dashboard', import.meta.url));
export const dashboardConfig = fileURLToPath(
  new URL('../coordinator/dashboard/vite.config.ts', import.meta.url),
);
