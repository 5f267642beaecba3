/**
 * Every coordinator address the dashboard uses, in one place. The action routes belong to the
 * coordinator's operator API; the read views (/views/…) and the event stream to the dashboard.
 */
const base = '/v1/operator';

export const operatorPaths = {
  session: `${base}/session`,
  login: `${base}/login`,
  logout: `${base}/logout`,
  setup: `${base}/setup`,
  invites: `${base}/invites`,
  revokeShop: (shopId: string) => `${base}/shops/${encodeURIComponent(shopId)}/revoke`,
  startRound: `${base}/rounds`,
  closePhase: (roundId: number | string) =>
    `${base}/rounds/${encodeURIComponent(String(roundId))}/close-phase`,
  rollback: (version: number) => `${base}/models/${version}/rollback`,
  settings: `${base}/settings`,
  events: `${base}/events`,
  views: {
    overview: `${base}/views/overview`,
    shops: `${base}/views/shops`,
    rounds: `${base}/views/rounds`,
    round: (id: number | string) => `${base}/views/rounds/${encodeURIComponent(String(id))}`,
    models: `${base}/views/models`,
    privacy: `${base}/views/privacy`,
  },
};
