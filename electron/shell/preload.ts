// Runs in the sandboxed renderer before the page: it can reach only contextBridge and
// ipcRenderer, and hands the page exactly one object with two functions.
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import type { BackendEvent, BreadcastApi } from '../api/contract/index.ts';

// Literal channel names: a sandboxed preload is bundled alone and should not pull main-process code.
const callChannel = 'breadcast:call';
const eventChannel = 'breadcast:event';

const api = {
  call: (method, input) => ipcRenderer.invoke(callChannel, method, input),
  onEvent(listener) {
    // The wrapper keeps the IpcRendererEvent (and its `sender`) away from the page.
    const handler = (_event: IpcRendererEvent, event: BackendEvent) => listener(event);
    ipcRenderer.on(eventChannel, handler);
    return () => {
      ipcRenderer.removeListener(eventChannel, handler);
    };
  },
} satisfies BreadcastApi;

contextBridge.exposeInMainWorld('breadcast', api);
