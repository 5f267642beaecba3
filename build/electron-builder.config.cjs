// electron-builder configuration for the Breadcast desktop app (`npm run dist`).
// It downloads Electron and native prebuilds, so it runs on a release machine, not in this
// sandbox; test/unit/shell/packaging-config.test.ts validates it against electron-builder's own
// schema and test/unit/shell/hardening-checklist.test.ts checks its security settings.
// See docs/packaging.md.

/**
 * Where the packaged app looks for updates (electron-updater, generic provider: a plain HTTPS
 * folder holding latest.yml / latest-linux.yml / latest-mac.yml and the installers).
 * The default is a placeholder: set BREADCAST_UPDATE_URL when building a release.
 */
const updateUrl = process.env.BREADCAST_UPDATE_URL || 'https://updates.breadcast.invalid/desktop';

/** @type {import('electron-builder').Configuration} */
module.exports = {
  appId: 'org.breadcast.desktop',
  productName: 'Breadcast',
  copyright: 'Copyright © Breadcast contributors',
  directories: { output: 'dist/release', buildResources: 'build' },
  icon: 'build/icon.png',

  // What goes into app.asar besides the production node_modules (added by electron-builder).
  files: [
    'dist/electron/**/*',
    'dist/renderer/**/*',
    'package.json',
    'data/**/*',
    '!dist/release{,/**/*}',
    '!**/*.map',
  ],
  asar: true,
  // Native and wasm files must be real files on disk: dlopen and fetch() of .wasm cannot read
  // inside an asar archive.
  asarUnpack: [
    '**/node_modules/better-sqlite3/**/*',
    '**/node_modules/bindings/**/*',
    '**/node_modules/file-uri-to-path/**/*',
    '**/node_modules/@tensorflow/tfjs-backend-wasm/**/*.wasm',
    '**/node_modules/@tensorflow/tfjs-node/**/*',
    '**/*.node',
  ],

  // better-sqlite3 is a native module built against Node's ABI; it must be rebuilt (or its
  // Electron prebuild fetched) for Electron's ABI. Prebuilds first, compile from source only
  // when none matches.
  npmRebuild: true,
  nodeGypRebuild: false,
  buildDependenciesFromSource: false,

  // Flipped in the Electron binary at package time (https://www.electronjs.org/docs/latest/tutorial/fuses).
  electronFuses: {
    runAsNode: false,
    enableCookieEncryption: true,
    enableNodeOptionsEnvironmentVariable: false,
    enableNodeCliInspectArguments: false,
    enableEmbeddedAsarIntegrityValidation: true,
    onlyLoadAppFromAsar: true,
    loadBrowserProcessSpecificV8Snapshot: false,
    grantFileProtocolExtraPrivileges: false,
  },

  publish: [{ provider: 'generic', url: updateUrl }],

  linux: {
    target: ['AppImage', 'deb'],
    category: 'Office',
    executableName: 'breadcast',
    maintainer: 'Breadcast maintainers <maintainers@breadcast.invalid>',
    synopsis: 'Bakery demand and spoilage forecasts',
    description:
      'Forecasts tomorrow’s demand and leftovers per product; bakeries learn together without sharing their books.',
    desktop: {
      entry: {
        Name: 'Breadcast',
        GenericName: 'Bakery forecasts',
        Comment: 'Forecast tomorrow’s bake and spoilage',
        Categories: 'Office;',
        Keywords: 'bakery;forecast;bread;spoilage;',
        StartupWMClass: 'Breadcast',
      },
    },
  },
  deb: { priority: 'optional' },
  appImage: { artifactName: 'Breadcast-${version}-${arch}.AppImage' },

  win: { target: ['nsis'] },
  nsis: {
    oneClick: false,
    perMachine: false,
    allowToChangeInstallationDirectory: true,
    createDesktopShortcut: true,
    artifactName: 'Breadcast-Setup-${version}.${ext}',
  },

  mac: {
    target: ['dmg'],
    category: 'public.app-category.business',
    hardenedRuntime: true,
  },
  dmg: { artifactName: 'Breadcast-${version}-${arch}.${ext}' },
};
