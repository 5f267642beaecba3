import { join } from 'node:path';
import { pino } from 'pino';
import { createBackend, type Backend } from '../../../electron/backend/backend.ts';
import type {
  ApiResult,
  MethodInput,
  MethodName,
  MethodOutput,
} from '../../../electron/api/contract/index.ts';
import { tempDir } from './helpers.ts';

export type TestBackend = Backend & {
  clock: { now: Date };
  dir: string;
  path: string;
  call<M extends MethodName>(method: M, input: MethodInput<M>): Promise<ApiResult<MethodOutput<M>>>;
  ok<M extends MethodName>(method: M, input: MethodInput<M>): Promise<MethodOutput<M>>;
};

/** A real backend on a temp database, with a settable clock. */
export function testBackend(
  now = new Date('2024-03-10T18:00:00'),
): TestBackend & { clock: { now: Date } } {
  const dir = tempDir();
  const path = join(dir, 'bakery.sqlite');
  const clock = { now };
  const backend = createBackend({
    databasePath: path,
    transport: 'http',
    log: pino({ level: 'silent' }),
    now: () => clock.now,
  });
  const call = async <M extends MethodName>(method: M, input: MethodInput<M>) =>
    (await backend.dispatch(method, input)) as ApiResult<MethodOutput<M>>;
  return {
    ...backend,
    dir,
    path,
    clock,
    call,
    ok: async (method, input) => {
      const result = await call(method, input);
      if (!result.ok) throw new Error(`${method} failed: ${JSON.stringify(result.error)}`);
      return result.value;
    },
  };
}
