import { readFileSync } from 'node:fs';
import { z } from 'zod';

/** Everything an operator can configure, from a JSON file and BREADCAST_COORDINATOR_* variables. */
export const coordinatorConfig = z
  .object({
    host: z.string().default('127.0.0.1'),
    port: z.coerce.number().int().min(0).max(65535).default(5190),
    /** A SQLite file path (the embedded default) or a postgres:// URL. `db` is its older name. */
    database: z.string().min(1, 'names a SQLite file or a postgres:// URL'),
    /** PostgreSQL connections per coordinator instance. */
    databasePoolSize: z.coerce.number().int().min(1).max(1000).default(10),
    tlsCert: z.string().optional(),
    tlsKey: z.string().optional(),
    /** Passed to Fastify: true, a hop count, or the proxy's address(es). See docs/coordinator.md. */
    trustProxy: z.union([z.boolean(), z.coerce.number().int().min(0), z.string()]).default(false),
    logLevel: z
      .enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])
      .default('info'),
    maxUpdateBytes: z.coerce
      .number()
      .int()
      .min(1024)
      .default(16 * 1024 * 1024),
    /** Base URL printed in the one-time setup link (the public address behind a proxy). */
    publicUrl: z.string().optional(),
    modelSeed: z.coerce.number().int().default(1),
  })
  .refine((c) => Boolean(c.tlsCert) === Boolean(c.tlsKey), {
    message: 'tlsCert and tlsKey go together',
  });
export type CoordinatorConfig = z.infer<typeof coordinatorConfig>;

const envNames: Record<string, string> = {
  HOST: 'host',
  PORT: 'port',
  DATABASE: 'database',
  DB: 'db',
  DATABASE_POOL_SIZE: 'databasePoolSize',
  TLS_CERT: 'tlsCert',
  TLS_KEY: 'tlsKey',
  TRUST_PROXY: 'trustProxy',
  LOG_LEVEL: 'logLevel',
  MAX_UPDATE_BYTES: 'maxUpdateBytes',
  PUBLIC_URL: 'publicUrl',
  MODEL_SEED: 'modelSeed',
};

function fromEnvironment(env: NodeJS.ProcessEnv): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [suffix, key] of Object.entries(envNames)) {
    const value = env[`BREADCAST_COORDINATOR_${suffix}`];
    if (value === undefined) continue;
    out[key] =
      key === 'trustProxy' && (value === 'true' || value === 'false') ? value === 'true' : value;
  }
  return out;
}

/** `db` (the SQLite file, before PostgreSQL) is another name for `database`. */
function withDatabase(values: Record<string, unknown>): Record<string, unknown> {
  const { db, ...rest } = values;
  return db === undefined || rest.database !== undefined ? rest : { ...rest, database: db };
}

/** Precedence: command-line flags over environment over the file over defaults. */
export function loadCoordinatorConfig(
  flags: Record<string, unknown>,
  options: { file?: string; env?: NodeJS.ProcessEnv } = {},
): CoordinatorConfig {
  let fileValues: Record<string, unknown> = {};
  if (options.file) {
    try {
      fileValues = JSON.parse(readFileSync(options.file, 'utf8')) as Record<string, unknown>;
    } catch (error) {
      throw new Error(
        `cannot read the configuration file ${options.file}: ${(error as Error).message}`,
        { cause: error },
      );
    }
  }
  const defined = Object.fromEntries(Object.entries(flags).filter(([, v]) => v !== undefined));
  const result = coordinatorConfig.safeParse({
    ...withDatabase(fileValues),
    ...withDatabase(fromEnvironment(options.env ?? process.env)),
    ...withDatabase(defined),
  });
  if (!result.success) {
    const issue = result.error.issues[0]!;
    const where = issue.path.join('.') || 'config';
    const hint =
      where === 'database' ? ' (--database or --db: a SQLite file or a postgres:// URL)' : '';
    throw new Error(`invalid coordinator configuration: ${where}: ${issue.message}${hint}`);
  }
  return result.data;
}
