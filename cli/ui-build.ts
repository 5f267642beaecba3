import { existsSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Builds a Vite UI once when its output is missing, so `npm run breadcast -- shop` works right
 * after `npm install` with no separate build step.
 */
export async function ensureUiBuilt(
  configFile: string,
  outDir: string,
  say: (line: string) => void,
): Promise<void> {
  if (existsSync(join(outDir, 'index.html'))) return;
  say(`Building the user interface (${outDir}) once…`);
  const { build } = await import('vite');
  await build({ configFile, logLevel: 'warn' });
}
