import type { Message } from '../../../../electron/api/contract/messages/index.ts';
import type { Formatters } from '../formatters.ts';

/** Words for every backend message code, in one language; the formatters bring its Intl style. */
export type Catalogue = {
  [M in Message as M['code']]: (params: M['params'], f: Formatters) => string;
};

export function formatMessage(message: Message, catalogue: Catalogue, f: Formatters): string {
  const words = catalogue[message.code] as (params: Message['params'], f: Formatters) => string;
  return words(message.params, f);
}
