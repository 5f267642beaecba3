import type {
  ApiResult,
  BackendEvent,
  BreadcastApi,
  MethodInput,
  MethodName,
  MethodOutput,
} from '../../../electron/api/contract/index.ts';

declare global {
  interface Window {
    /** Set by the Electron preload; absent in browser mode. */
    breadcast?: BreadcastApi;
  }
}

/** Browser mode: the same API over HTTP, authorised by the secret the server put in the URL fragment. */
function httpApi(): BreadcastApi {
  const fromHash = new URLSearchParams(location.hash.slice(1)).get('secret');
  if (fromHash) {
    sessionStorage.setItem('breadcast.secret', fromHash);
    history.replaceState(null, '', location.pathname + location.search);
  }
  const secret = sessionStorage.getItem('breadcast.secret') ?? '';
  return {
    async call(method, input) {
      try {
        const body = JSON.stringify(input);
        const response = await fetch(`/api/${encodeURIComponent(method)}`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${secret}` },
          body,
          // Small calls (a row saved as the page unloads) must outlive the page.
          keepalive: body.length < 60_000,
        });
        return (await response.json()) as never;
      } catch (error) {
        return {
          ok: false,
          error: {
            code: 'unavailable',
            message: `The Breadcast backend is not answering (${(error as Error).message}).`,
          },
        };
      }
    },
    onEvent(listener) {
      const source = new EventSource(`/api/events?secret=${encodeURIComponent(secret)}`);
      source.onmessage = (message) => listener(JSON.parse(message.data as string) as BackendEvent);
      return () => source.close();
    },
  };
}

export const transport: BreadcastApi = window.breadcast ?? httpApi();

/** A refusal from the backend, carrying its user-facing message and per-field issues. */
export class ApiCallError extends Error {
  constructor(readonly result: Extract<ApiResult, { ok: false }>['error']) {
    super(result.message);
  }
}

/** Calls a method and returns its value, or throws ApiCallError with the backend's message. */
export async function call<M extends MethodName>(
  method: M,
  input: MethodInput<M>,
): Promise<MethodOutput<M>> {
  const result = await transport.call(method, input);
  if (!result.ok) throw new ApiCallError(result.error);
  return result.value;
}

export const onBackendEvent = (listener: (event: BackendEvent) => void): (() => void) =>
  transport.onEvent(listener);
