import { z } from 'zod';
import { method } from './define.ts';

export const appInfo = z.object({
  appVersion: z.string(),
  schemaVersion: z.number().int(),
  databasePath: z.string(),
  transport: z.enum(['electron', 'http']),
});

export const appContract = {
  'app.info': method(
    'Version and storage facts shown in the About panel.',
    z.object({}).strict(),
    appInfo,
  ),
};
