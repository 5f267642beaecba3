import { beforeAll, describe, expect, it, vi } from 'vitest';
import { electronModule } from './fake-electron.ts';

vi.mock('electron', async () => (await import('./fake-electron.ts')).electronModule);

type Exposed = Record<string, unknown> & {
  call(method: string, input: unknown): unknown;
  onEvent(listener: (event: unknown) => void): () => void;
};

let exposed: Exposed;
beforeAll(async () => {
  await import('../../../electron/shell/preload.ts');
  const calls = electronModule.contextBridge.exposeInMainWorld.mock.calls;
  expect(calls).toHaveLength(1);
  expect(calls[0]![0]).toBe('breadcast');
  exposed = calls[0]![1] as Exposed;
});

describe('preload', () => {
  it('exposes exactly one object, window.breadcast, with only call and onEvent', () => {
    expect(Object.keys(exposed).sort()).toEqual(['call', 'onEvent']);
    expect(typeof exposed.call).toBe('function');
    expect(typeof exposed.onEvent).toBe('function');
    // Neither ipcRenderer nor anything else of Electron is reachable as a value.
    for (const value of Object.values(exposed)) {
      expect(value).not.toBe(electronModule.ipcRenderer);
      expect(Object.keys(value as object)).toEqual([]);
    }
  });

  it('call invokes the single breadcast:call channel and returns its promise', async () => {
    electronModule.ipcRenderer.invoke.mockResolvedValueOnce({ ok: true, value: 1 });
    const result = await exposed.call('app.info', {});
    expect(electronModule.ipcRenderer.invoke).toHaveBeenCalledWith(
      'breadcast:call',
      'app.info',
      {},
    );
    expect(result).toEqual({ ok: true, value: 1 });
  });

  it('onEvent passes only the event (never the IPC event with its sender) and unsubscribes', () => {
    const received: unknown[] = [];
    const unsubscribe = exposed.onEvent((event) => received.push(event));
    const [channel, handler] = electronModule.ipcRenderer.on.mock.calls.at(-1)!;
    expect(channel).toBe('breadcast:event');
    const ipcEvent = { sender: electronModule.ipcRenderer, senderFrame: {} };
    (handler as (...args: unknown[]) => void)(ipcEvent, { type: 'data.changed', scope: 'logs' });
    expect(received).toEqual([{ type: 'data.changed', scope: 'logs' }]);
    unsubscribe();
    expect(electronModule.ipcRenderer.removeListener).toHaveBeenCalledWith(
      'breadcast:event',
      handler,
    );
  });
});
