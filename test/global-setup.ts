import { dashboardConfig, dashboardDist, rendererConfig, rendererDist } from '../cli/paths.ts';
import { ensureUiBuilt } from '../cli/ui-build.ts';

/**
 * Builds the two UIs once before any test file runs, so that `npm test` on a fresh clone does
 * not have several CLI child processes racing to build the same output folder.
 */
export default async function setup(): Promise<void> {
  const say = (line: string) => process.stderr.write(line + '\n');
  await ensureUiBuilt(rendererConfig, rendererDist, say);
  await ensureUiBuilt(dashboardConfig, dashboardDist, say);
}
