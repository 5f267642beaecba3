// The packaging config cannot run here (electron-builder downloads Electron), so it is checked
// against electron-builder's own schema validator and for the settings the app depends on.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const projectRoot = fileURLToPath(new URL('../../..', import.meta.url));
const require = createRequire(import.meta.url);
const configPath = join(projectRoot, 'build/electron-builder.config.cjs');
type Config = Record<string, unknown> & {
  files: string[];
  asarUnpack: string[];
  publish: Array<{ provider: string; url: string }>;
  linux: { target: string[]; category: string; desktop: { entry: Record<string, string> } };
  win: { target: string[] };
  mac: { target: string[] };
  electronFuses: Record<string, boolean>;
};
const config = require(configPath) as Config;
const { validateConfiguration } = require('app-builder-lib/out/util/config/config.js') as {
  validateConfiguration(config: unknown, logger: unknown): Promise<void>;
};
const quietLogger = { isEnabled: false, add() {} };

function pngSize(file: string): { width: number; height: number } {
  const bytes = readFileSync(file);
  expect(bytes.subarray(1, 4).toString('latin1')).toBe('PNG');
  return { width: bytes.readUInt32BE(16), height: bytes.readUInt32BE(20) };
}

describe('electron-builder config', () => {
  it("passes electron-builder's own schema validation", async () => {
    await expect(validateConfiguration(config, quietLogger)).resolves.toBeUndefined();
  });

  it('the validator would catch a misspelt fuse (so the check above means something)', async () => {
    const broken = { ...config, electronFuses: { ...config.electronFuses, runAsnode: false } };
    await expect(validateConfiguration(broken, quietLogger)).rejects.toThrow(/configuration/);
  });

  it('ships the compiled shell, the renderer and the data, never its own release output', () => {
    expect(config).toMatchObject({
      appId: expect.any(String),
      productName: 'Breadcast',
      asar: true,
    });
    expect(config.files).toEqual(
      expect.arrayContaining([
        'dist/electron/**/*',
        'dist/renderer/**/*',
        'package.json',
        'data/**/*',
      ]),
    );
    expect(config.files).toContain('!dist/release{,/**/*}');
    const pkg = JSON.parse(readFileSync(join(projectRoot, 'package.json'), 'utf8')) as {
      main: string;
    };
    expect(pkg.main).toBe('dist/electron/main.cjs');
  });

  it('rebuilds better-sqlite3 for Electron and keeps native and wasm files out of the asar', () => {
    expect(config.npmRebuild).toBe(true);
    expect(config.asarUnpack).toEqual(
      expect.arrayContaining(['**/node_modules/better-sqlite3/**/*', '**/*.node']),
    );
    expect(
      config.asarUnpack.some(
        (glob) => glob.includes('tfjs-backend-wasm') && glob.endsWith('.wasm'),
      ),
    ).toBe(true);
  });

  it('targets AppImage + deb (Office), NSIS and dmg, and publishes to a generic update feed', () => {
    expect(config.linux.target).toEqual(['AppImage', 'deb']);
    expect(config.linux.category).toBe('Office');
    expect(config.linux.desktop.entry.Categories).toBe('Office;');
    expect(config.win.target).toEqual(['nsis']);
    expect(config.mac.target).toEqual(['dmg']);
    expect(config.publish).toEqual([
      { provider: 'generic', url: expect.stringMatching(/^https:\/\//) },
    ]);
  });

  it('has a 512x512 app icon and a tray icon (with a @2x variant)', () => {
    expect(pngSize(join(projectRoot, 'build/icon.png'))).toEqual({ width: 512, height: 512 });
    expect(pngSize(join(projectRoot, 'build/tray.png'))).toEqual({ width: 32, height: 32 });
    expect(pngSize(join(projectRoot, 'build/tray@2x.png'))).toEqual({ width: 64, height: 64 });
  });
});
