/** The dashboard's pages; the hash (#/rounds/12) names one, so reloads and links keep the place. */
export const pages = ['overview', 'shops', 'rounds', 'models', 'settings'] as const;
export type PageName = (typeof pages)[number];

type Location = { page: PageName; id: string | null };

function parse(hash: string): Location {
  const [first = '', second] = hash.replace(/^#\/?/, '').split('/');
  const page = (pages as readonly string[]).includes(first) ? (first as PageName) : 'overview';
  return { page, id: second ? decodeURIComponent(second) : null };
}

const current = $state<Location>(parse(location.hash));

window.addEventListener('hashchange', () => {
  const next = parse(location.hash);
  current.page = next.page;
  current.id = next.id;
});

export const router = {
  get page(): PageName {
    return current.page;
  },
  get id(): string | null {
    return current.id;
  },
  href(page: PageName, id?: string | number): string {
    return `#/${page}${id === undefined ? '' : `/${encodeURIComponent(String(id))}`}`;
  },
};
