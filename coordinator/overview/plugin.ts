import { budgetEpsilon, emptyBudget, spendRound } from '../../federated/privacy/accountant.ts';
import type { CoordinatorPlugin } from '../app.ts';
import { dashboardStaticPlugin } from './dashboard-static.ts';
import type { Accountant } from './privacy-view.ts';
import { operatorViewsPlugin } from './routes.ts';

/** Rényi-DP accounting of the sampled Gaussian mechanism (federated/privacy), composed over rounds. */
export const rdpAccountant: Accountant = (rounds, delta) =>
  budgetEpsilon(rounds.reduce(spendRound, emptyBudget()), delta);

/**
 * The operator dashboard as a coordinator plugin: the read views and event stream under
 * /v1/operator, and the built Svelte app at /dashboard/. Pass it in `plugins` of
 * buildCoordinator.
 */
export function dashboardPlugin(
  options: { accountant?: Accountant; staticRoot?: string; changePollMs?: number } = {},
): CoordinatorPlugin {
  return async (app, context) => {
    await app.register(operatorViewsPlugin, {
      prefix: '/v1/operator',
      store: context.store,
      requireOperator: context.requireOperator,
      now: context.now,
      nextRoundAt: () => context.engine.nextScheduledRun(),
      accountant: options.accountant ?? rdpAccountant,
      ...(options.changePollMs ? { changePollMs: options.changePollMs } : {}),
    });
    await app.register(dashboardStaticPlugin, { root: options.staticRoot });
  };
}
