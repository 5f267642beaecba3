import type { IpcMain, IpcMainInvokeEvent } from 'electron';
import type { ApiResult } from '../api/contract/index.ts';
import { isAppUrl } from './security.ts';

/** The only two IPC channels: renderer → main calls, main → renderer backend events. */
export const callChannel = 'breadcast:call';
export const eventChannel = 'breadcast:event';

type SenderEvent = {
  senderFrame: { url: string; parent: unknown } | null;
};

/**
 * A call is answered only when it comes from the top frame of a page of our own app://breadcast
 * origin, checked with the URL parser. A page that got into a window some other way (a
 * navigation bug, an injected frame) gets no access to the bakery's data.
 */
export function isTrustedSender(event: SenderEvent): boolean {
  const frame = event.senderFrame;
  return frame !== null && frame.parent === null && isAppUrl(frame.url);
}

const methodName = /^[a-z][a-zA-Z]*\.[a-zA-Z]+$/;

function refusal(code: 'bad-request' | 'not-found', message: string): ApiResult {
  return { ok: false, error: { code, message } };
}

/**
 * Registers the one IPC handler. The sender and the method name's shape are checked here; the
 * payload is validated against the zod contract by the dispatcher in the backend process.
 */
export function registerApiIpc(
  ipcMain: Pick<IpcMain, 'handle'>,
  forward: (method: string, payload: unknown) => Promise<ApiResult>,
  log: (line: string) => void = () => {},
): void {
  ipcMain.handle(callChannel, (event: IpcMainInvokeEvent, method: unknown, payload: unknown) => {
    if (!isTrustedSender(event as unknown as SenderEvent)) {
      log(`Refused an API call from ${event.senderFrame?.url ?? 'a destroyed frame'}`);
      return refusal('bad-request', 'Refused: only the Breadcast app itself may call its API.');
    }
    if (typeof method !== 'string' || method.length > 100 || !methodName.test(method)) {
      return refusal('not-found', 'Unknown API method.');
    }
    return forward(method, payload);
  });
}
