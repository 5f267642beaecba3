import { z } from 'zod';

/** Pushed from the backend to the UI (IPC in Electron, server-sent events in browser mode). */
export const backendEvent = z.discriminatedUnion('type', [
  z.object({ type: z.literal('data.changed'), scope: z.string() }),
  z.object({
    type: z.literal('progress'),
    task: z.string(),
    done: z.number(),
    total: z.number(),
    message: z.string().optional(),
  }),
  // A long job (training, sync) asks the desktop shell to keep the computer from sleeping.
  z.object({ type: z.literal('keep-awake'), active: z.boolean(), reason: z.string() }),
]);
export type BackendEvent = z.infer<typeof backendEvent>;
