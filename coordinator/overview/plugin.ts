import type { CoordinatorPlugin } from '../app.ts';
import { dashboardStaticPlugin } from './dashboard-static.ts';
import { operatorViewsPlugin } from './routes.ts';

/**
 * The operator dashboard as a coordinator plugin: the read views and event stream under
 * /v1/operator, and the built Svelte app at /dashboard/. Pass it in `plugins` of
 * buildCoordinator.
 */
export function dashboardPlugin(
  options: { staticRoot?: string; changePollMs?: number } = {},
): CoordinatorPlugin {
  return async (app, context) => {
    await app.register(operatorViewsPlugin, {
      prefix: '/v1/operator',
      store: context.store,
      requireOperator: context.requireOperator,
      now: context.now,
      nextRoundAt: () => context.engine.nextScheduledRun(),
      schedulerRunning: () => context.engine.schedulerRunning(),
      ...(options.changePollMs ? { changePollMs: options.changePollMs } : {}),
    });
    await app.register(dashboardStaticPlugin, { root: options.staticRoot });
  };
}
