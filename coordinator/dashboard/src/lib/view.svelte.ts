import { api, ApiError } from './api.ts';
import { live } from './live.svelte.ts';

/**
 * One read view of the coordinator, kept fresh: fetched when the page opens and again on every
 * live tick. A failed refresh keeps the last figures on screen and says why beside them.
 */
export function liveView<T>(path: () => string) {
  const state = $state<{ data: T | null; error: string; loading: boolean }>({
    data: null,
    error: '',
    loading: true,
  });
  let sequence = 0;
  let shown: string | null = null;

  $effect(() => {
    const url = path();
    void live.tick;
    const mine = ++sequence;
    // Another view (the next round's page) never shows the previous one's figures meanwhile.
    if (url !== shown) {
      shown = url;
      state.data = null;
      state.loading = true;
    }
    api.get<T>(url).then(
      (data) => {
        if (mine !== sequence) return;
        state.data = data;
        state.error = '';
        state.loading = false;
      },
      (error: unknown) => {
        if (mine !== sequence) return;
        state.error = error instanceof ApiError ? error.message : String(error);
        state.loading = false;
      },
    );
  });

  return state;
}
