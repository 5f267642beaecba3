import fastifyCookie from '@fastify/cookie';
import fastifyRateLimit from '@fastify/rate-limit';
import fastifySwagger from '@fastify/swagger';
import Fastify, {
  type FastifyError,
  type FastifyInstance,
  type preHandlerAsyncHookHandler,
} from 'fastify';
import {
  hasZodFastifySchemaValidationErrors,
  jsonSchemaTransform,
  serializerCompiler,
  validatorCompiler,
  type ZodTypeProvider,
} from 'fastify-type-provider-zod';
import { pino, type Logger } from 'pino';
import {
  healthResponse,
  minimumProtocolVersion,
  protocolVersion,
  headers as protocolHeaders,
  signatureWindowMs,
} from '../federated/protocol/index.ts';
import { checkProtocol, shopAuthenticator } from './auth/shop-auth.ts';
import { SignatureVerifier } from './auth/signature-verifier.ts';
import { CoordinatorError } from './errors.ts';
import { operatorAuthenticator } from './operator/require-operator.ts';
import { operatorSessionRoutes } from './operator/routes.ts';
import { RoundEngine } from './rounds/engine.ts';
import {
  ensureInitialModel,
  weightsFromSharedModel,
  type InitialWeights,
} from './rounds/initial-model.ts';
import type { RoundMode } from './rounds/phases.ts';
import { plainMode } from './rounds/plain-mode.ts';
import { secureAggregationRoutes, secureMode } from './secagg/index.ts';
import { serviceEndpoints } from './service/routes.ts';
import { adminRoutes } from './routes/admin-routes.ts';
import { shopRoutes } from './routes/shop-routes.ts';
import { openCoordinatorStore } from './store/database.ts';
import type { PostgresOptions } from './store/postgres-store.ts';
import { isStoreBusy, type CoordinatorStore } from './store/sql.ts';

/** What plug-ins (secure aggregation, dashboard) receive to add their own routes and phases. */
export type CoordinatorContext = {
  store: CoordinatorStore;
  log: Logger;
  now: () => Date;
  engine: RoundEngine;
  requireShop: preHandlerAsyncHookHandler;
  requireOperator: preHandlerAsyncHookHandler;
};

export type CoordinatorPlugin = (
  app: FastifyInstance,
  context: CoordinatorContext,
) => Promise<void>;

export type CoordinatorOptions = {
  /**
   * A SQLite file path or a postgres:// URL (opened, migrated and closed with the server), or
   * an open store (left open).
   */
  db: string | CoordinatorStore;
  /** PostgreSQL pool settings, when `db` is a URL. */
  storeOptions?: PostgresOptions;
  logger?: Logger;
  now?: () => Date;
  /** Version 1 of the global model when the registry is empty; defaults to the shared model code. */
  initialWeights?: InitialWeights;
  modelSeed?: number;
  /** Round modes besides the two every coordinator runs: secure (the default) and plain. */
  modes?: RoundMode[];
  plugins?: CoordinatorPlugin[];
  https?: { key: string | Buffer; cert: string | Buffer };
  trustProxy?: boolean | number | string;
  /** Cookies get `Secure`; defaults to true under TLS. Set it behind a TLS-terminating proxy. */
  secureCookies?: boolean;
  maxUpdateBytes?: number;
  /** Run the nightly node-cron schedule (tests turn it off). */
  schedule?: boolean;
  /**
   * How often (ms) to look at the running round for changes made by other coordinators on the
   * same store; default 1000 on PostgreSQL, off on SQLite (one process).
   */
  watchMs?: number | null;
  signatureWindowMs?: number;
  loginRateLimit?: { max: number; timeWindow: number };
  /** Enrolments per address and window (default 20 a minute); simulations enrol many shops at once. */
  enrolRateLimit?: { max: number; timeWindow: number };
  /** Fastify's time (ms) for each plugin to start (default 10 s; 0 waits as long as it takes). */
  pluginTimeout?: number;
};

declare module 'fastify' {
  interface FastifyInstance {
    coordinator: CoordinatorContext;
  }
}

/** The coordinator as a Fastify instance: `inject` it in tests or `listen` it for real. */
export async function buildCoordinator(options: CoordinatorOptions): Promise<FastifyInstance> {
  const log = options.logger ?? pino({ name: 'breadcast-coordinator' });
  const now = options.now ?? (() => new Date());
  const ownsStore = typeof options.db === 'string';
  const store =
    typeof options.db === 'string'
      ? await openCoordinatorStore(options.db, options.storeOptions)
      : options.db;
  log.info({ store: store.description }, 'coordinator store open');
  try {
    await ensureInitialModel(
      store,
      options.initialWeights ?? weightsFromSharedModel(options.modelSeed ?? 1),
      log,
      now(),
    );
  } catch (error) {
    if (ownsStore) await store.close();
    throw new Error(`no initial global model: ${(error as Error).message}`, { cause: error });
  }

  const app = Fastify({
    loggerInstance: log,
    trustProxy: (options.trustProxy ?? false) as boolean,
    bodyLimit: 1024 * 1024,
    ...(options.pluginTimeout !== undefined ? { pluginTimeout: options.pluginTimeout } : {}),
    ...(options.https ? { https: options.https } : {}),
  }) as unknown as FastifyInstance;
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);

  // Signatures cover the exact bytes received, so keep them next to the parsed body.
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    request.rawBody = body as string;
    try {
      done(null, (body as string).length === 0 ? undefined : JSON.parse(body as string));
    } catch {
      done(new CoordinatorError(400, 'bad-json', 'The request body is not valid JSON.'), undefined);
    }
  });

  const engine = new RoundEngine({
    store,
    log,
    now,
    modes: [secureMode, plainMode, ...(options.modes ?? [])],
    schedule: options.schedule ?? true,
    watchMs:
      options.watchMs !== undefined ? options.watchMs : store.kind === 'postgres' ? 1000 : null,
  });
  const verifier = new SignatureVerifier();
  const context: CoordinatorContext = {
    store,
    log,
    now,
    engine,
    requireShop: shopAuthenticator({
      store,
      now,
      windowMs: options.signatureWindowMs ?? signatureWindowMs,
      verifier,
    }),
    requireOperator: operatorAuthenticator({ store, now }),
  };
  app.decorate('coordinator', context);

  await app.register(fastifyCookie);
  await app.register(fastifyRateLimit, { global: false });
  await app.register(fastifySwagger, {
    openapi: {
      info: {
        title: 'Breadcast coordinator',
        description:
          'Federated rounds for Breadcast bakeries. Shop routes are signed (Ed25519); operator routes use a session cookie and x-csrf-token.',
        version: String(protocolVersion),
      },
    },
    transform: jsonSchemaTransform,
  });

  app.addHook('onRequest', async (request, reply) => {
    reply.header(protocolHeaders.protocol, String(protocolVersion));
    if (request.url.startsWith('/v1/') && !request.url.startsWith('/v1/operator/'))
      checkProtocol(request);
  });

  // Before the routes, so its hooks time and count every one of them.
  await serviceEndpoints(app, { store, now });

  app.setErrorHandler((error: FastifyError, request, reply) => {
    if (error instanceof CoordinatorError) {
      if (error.statusCode >= 500) request.log.error({ err: error }, 'request failed');
      return reply.code(error.statusCode).send({
        error: error.code,
        message: error.message,
        serverTime: now().toISOString(),
        ...error.extra,
      });
    }
    if (hasZodFastifySchemaValidationErrors(error) || error.validation) {
      const first = error.validation?.[0];
      const where = first
        ? `${error.validationContext ?? 'request'}${first.instancePath ?? ''}`
        : 'request';
      return reply.code(400).send({
        error: 'invalid-request',
        message: `Invalid ${where}: ${first?.message ?? error.message}`,
      });
    }
    // Another process holds the database (backup, sqlite3 shell), or PostgreSQL is out of
    // connections: the request is fine, retry.
    if (isStoreBusy(error)) {
      request.log.warn({ err: error }, 'database busy');
      return reply.code(503).header('retry-after', '5').send({
        error: 'busy',
        message: 'The coordinator database is busy; try again shortly.',
      });
    }
    const status = error.statusCode ?? 500;
    if (status === 413)
      return reply
        .code(413)
        .send({ error: 'too-large', message: 'The request body is larger than allowed.' });
    if (status === 429)
      return reply.code(429).send({
        error: 'rate-limited',
        message: 'Too many attempts; wait a minute and try again.',
      });
    if (status < 500)
      return reply
        .code(status)
        .send({ error: error.code ?? 'bad-request', message: error.message });
    request.log.error({ err: error }, 'request failed');
    return reply
      .code(500)
      .send({ error: 'internal', message: 'The coordinator failed to handle this request.' });
  });

  const api = app.withTypeProvider<ZodTypeProvider>();
  api.get('/health', {
    schema: {
      tags: ['service'],
      summary: 'Liveness and protocol versions',
      response: { 200: healthResponse },
    },
    handler: async () => {
      await store.get('SELECT 1 AS ok');
      return {
        status: 'ok' as const,
        protocolVersion,
        minimumProtocolVersion,
        serverTime: now().toISOString(),
      };
    },
  });
  api.get('/openapi.json', {
    schema: { hide: true },
    handler: async () => app.swagger(),
  });

  await app.register(shopRoutes, {
    store,
    now,
    engine,
    requireShop: context.requireShop,
    maxUpdateBytes: options.maxUpdateBytes ?? 16 * 1024 * 1024,
    enrolRateLimit: options.enrolRateLimit ?? { max: 20, timeWindow: 60_000 },
  });
  await app.register(operatorSessionRoutes, {
    store,
    now,
    secureCookies: options.secureCookies ?? Boolean(options.https),
    requireOperator: context.requireOperator,
    loginRateLimit: options.loginRateLimit ?? { max: 5, timeWindow: 60_000 },
  });
  await app.register(adminRoutes, {
    store,
    now,
    engine,
    requireOperator: context.requireOperator,
  });
  // Secure rounds are the default, so their routes are part of every coordinator.
  await app.register(async (scope) => secureAggregationRoutes(scope, context));
  for (const plugin of options.plugins ?? [])
    await app.register(async (scope) => plugin(scope, context));

  app.addHook('onReady', async () => {
    await engine.resume();
    await engine.schedule();
    engine.startWatching();
  });
  app.addHook('onClose', async () => {
    engine.close();
    await verifier.close();
    if (ownsStore) await store.close();
  });
  return app;
}
