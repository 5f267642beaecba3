#!/usr/bin/env node
// Compiles the Electron entry points to CommonJS under dist/electron: the Electron binary runs
// JavaScript only, and a sandboxed preload must be one self-contained file.
//
//   main.cjs            main process (electron/shell/main.ts)
//   preload.cjs         preload of the window (electron/shell/preload.ts)
//   backend-process.cjs bakery backend in a utility process (electron/shell/backend-process.ts)
//   training-worker.cjs the training worker thread it starts (electron/forecast/training-worker.ts)
//
// Packages stay external for main and backend: they ship in the app's node_modules (inside the
// asar; native better-sqlite3 and the tfjs wasm files are unpacked, see electron-builder.config.cjs).
import { build } from 'esbuild';
import { copyFile, mkdir } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const outDir = process.argv[2] ?? `${root}dist/electron`;

// Sources use import.meta.url (ESM); in the CommonJS bundle it becomes the bundle file's own URL.
const importMetaShim = {
  banner: { js: 'const __importMetaUrl = require("node:url").pathToFileURL(__filename).href;' },
  define: { 'import.meta.url': '__importMetaUrl' },
};

const common = {
  bundle: true,
  platform: 'node',
  format: 'cjs',
  // Electron 45 embeds Node 22.
  target: 'node22',
  sourcemap: 'linked',
  logLevel: 'warning',
  absWorkingDir: root,
};

await mkdir(outDir, { recursive: true });
await Promise.all([
  build({
    ...common,
    ...importMetaShim,
    entryPoints: ['electron/shell/main.ts'],
    outfile: `${outDir}/main.cjs`,
    packages: 'external',
    // import('electron-updater') becomes a plain require: no ESM loader needed inside the asar.
    supported: { 'dynamic-import': false },
  }),
  build({
    ...common,
    ...importMetaShim,
    entryPoints: ['electron/shell/backend-process.ts'],
    outfile: `${outDir}/backend-process.cjs`,
    packages: 'external',
  }),
  build({
    ...common,
    ...importMetaShim,
    // Training runs in a worker thread of the backend process (electron/forecast/training-job.ts).
    entryPoints: ['electron/forecast/training-worker.ts'],
    outfile: `${outDir}/training-worker.cjs`,
    packages: 'external',
  }),
  build({
    ...common,
    // The sandboxed preload may require only 'electron': everything else is bundled in.
    entryPoints: ['electron/shell/preload.ts'],
    outfile: `${outDir}/preload.cjs`,
    external: ['electron'],
    target: 'chrome140',
  }),
]);
await copyFile(`${root}build/tray.png`, `${outDir}/tray.png`);
await copyFile(`${root}build/tray@2x.png`, `${outDir}/tray@2x.png`);
await copyFile(`${root}build/icon.png`, `${outDir}/icon.png`);
console.log(`Compiled the Electron shell to ${outDir}`);
