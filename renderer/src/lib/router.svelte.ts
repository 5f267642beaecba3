import { buildQuery, queryValue } from './query.ts';

/** The app's screens, in navigation order; the hash (#/today?date=…) names one. */
export const routeNames = [
  'today',
  'forecast',
  'history',
  'products',
  'import',
  'consortium',
  'settings',
] as const;
export type RouteName = (typeof routeNames)[number];

type Location = { name: RouteName; query: string };

function parse(hash: string): Location {
  // The launch secret arrives in the fragment too; the API client moves it away first.
  const [path = '', query = ''] = hash.replace(/^#\/?/, '').split('?');
  const name = (routeNames as readonly string[]).includes(path) ? (path as RouteName) : 'today';
  return { name, query };
}

const current = $state<Location>(parse(location.hash.includes('secret=') ? '' : location.hash));

window.addEventListener('hashchange', () => {
  const next = parse(location.hash);
  current.name = next.name;
  current.query = next.query;
});

export const router = {
  get name(): RouteName {
    return current.name;
  },
  /** One query value of the current screen, e.g. the entry date. */
  param(key: string): string | null {
    return queryValue(current.query, key);
  },
  href(name: RouteName, params?: Record<string, string>): string {
    const query = params ? buildQuery(params) : '';
    return `#/${name}${query ? `?${query}` : ''}`;
  },
  go(name: RouteName, params?: Record<string, string>): void {
    location.hash = router.href(name, params);
  },
  /** Updates the query of the current screen without adding a history entry. */
  replaceParams(params: Record<string, string>): void {
    const href = router.href(current.name, params);
    history.replaceState(null, '', href);
    current.query = href.split('?')[1] ?? '';
  },
};
