import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Where the data the project may not ship lives: ../shared/data beside the clone by default. */
export const extraDataDir =
  process.env.BREADCAST_EXTRA_DATA ??
  fileURLToPath(new URL('../../../shared/data', import.meta.url));

/** The path of one unshipped file; throws, naming the place looked at, when it is not there. */
export function extraData(file: string): string {
  const path = join(extraDataDir, file);
  if (!existsSync(path))
    throw new Error(
      `npm run test:extra needs ${file}, which the project may not ship (data/SOURCES.md): ` +
        `looked for ${path}; set BREADCAST_EXTRA_DATA to the folder holding it`,
    );
  return path;
}
