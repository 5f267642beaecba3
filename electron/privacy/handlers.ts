import type { Handlers } from '../api/dispatcher.ts';
import type { BackendContext } from '../backend/context.ts';
import { yearEpsilon } from './budget.ts';
import { defaultPrivacyPolicy, loadPrivacyPolicy, savePrivacyPolicy } from './policy.ts';
import { ledgerRounds } from './round-stories.ts';

type PrivacyHandlers = Pick<Handlers, 'privacy.policy' | 'privacy.setPolicy' | 'ledger.rounds'>;

export function privacyHandlers(context: BackendContext): PrivacyHandlers {
  const view = () => ({
    policy: loadPrivacyPolicy(context.db),
    defaults: defaultPrivacyPolicy,
    yearEpsilon: yearEpsilon(context.db, context.now()),
  });
  return {
    'privacy.policy': () => view(),
    'privacy.setPolicy': (input) => {
      savePrivacyPolicy(context.db, input, context.now());
      context.events.emit({ type: 'data.changed', scope: 'sync' });
      return view();
    },
    'ledger.rounds': (input) => ledgerRounds(context.db, input),
  };
}
