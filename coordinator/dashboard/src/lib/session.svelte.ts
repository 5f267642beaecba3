import { api, ApiError, onSignedOut, rememberCsrf } from './api.ts';
import { operatorPaths } from './paths.ts';

type SessionAnswer = { operator: string; csrfToken: string; expiresAt: string };

const state = $state<{ operator: string | null; checked: boolean }>({
  operator: null,
  checked: false,
});

onSignedOut(() => (state.operator = null));

export const session = {
  get operator(): string | null {
    return state.operator;
  },
  get checked(): boolean {
    return state.checked;
  },
  /** On start: a still-valid cookie from an earlier visit opens the dashboard without a login. */
  async check(): Promise<void> {
    try {
      const answer = await api.get<SessionAnswer>(operatorPaths.session);
      rememberCsrf(answer.csrfToken);
      state.operator = answer.operator;
    } catch (error) {
      if (!(error instanceof ApiError) || error.status !== 401) state.operator = null;
    } finally {
      state.checked = true;
    }
  },
  async login(name: string, password: string): Promise<void> {
    const answer = await api.post<SessionAnswer>(operatorPaths.login, { name, password });
    rememberCsrf(answer.csrfToken);
    state.operator = answer.operator;
  },
  async setup(token: string, name: string, password: string): Promise<void> {
    // Setup opens a session straight away, like a login.
    const answer = await api.post<SessionAnswer>(operatorPaths.setup, { token, name, password });
    rememberCsrf(answer.csrfToken);
    state.operator = answer.operator;
  },
  async logout(): Promise<void> {
    try {
      await api.post(operatorPaths.logout);
    } finally {
      rememberCsrf(null);
      state.operator = null;
    }
  },
};
