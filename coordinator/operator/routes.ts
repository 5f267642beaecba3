import type { FastifyInstance, FastifyReply, preHandlerAsyncHookHandler } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import {
  errorBody,
  loginRequest,
  okResponse,
  sessionResponse,
  setupRequest,
} from '../../federated/protocol/index.ts';
import { CoordinatorError } from '../errors.ts';
import { audit } from '../store/database.ts';
import type { CoordinatorStore } from '../store/sql.ts';
import {
  authenticate,
  consumeSetupToken,
  createOperator,
  createSession,
  deleteSession,
  operatorCount,
} from './accounts.ts';
import { sessionCookie } from './require-operator.ts';

export type OperatorRouteOptions = {
  store: CoordinatorStore;
  now: () => Date;
  secureCookies: boolean;
  requireOperator: preHandlerAsyncHookHandler;
  loginRateLimit: { max: number; timeWindow: number };
};

/** Login, logout, session and first-operator setup. */
export async function operatorSessionRoutes(
  app: FastifyInstance,
  options: OperatorRouteOptions,
): Promise<void> {
  const { store, now } = options;
  const api = app.withTypeProvider<ZodTypeProvider>();
  const cookieOptions = {
    httpOnly: true,
    sameSite: 'strict' as const,
    secure: options.secureCookies,
    path: '/',
  };

  const startSession = async (operatorId: number, name: string, reply: FastifyReply) => {
    const session = await createSession(store, operatorId, now());
    reply.setCookie(sessionCookie, session.cookie, {
      ...cookieOptions,
      expires: session.expiresAt,
    });
    return {
      operator: name,
      csrfToken: session.csrfToken,
      expiresAt: session.expiresAt.toISOString(),
    };
  };

  api.post('/v1/operator/login', {
    schema: {
      tags: ['operator'],
      summary: 'Operator login: sets the session cookie, returns the CSRF token',
      body: loginRequest,
      response: { 200: sessionResponse, 401: errorBody },
    },
    config: { rateLimit: options.loginRateLimit },
    handler: async (request, reply) => {
      const operator = await authenticate(store, request.body.name, request.body.password);
      if (!operator) {
        await audit(
          store,
          'anonymous',
          'operator.login-failed',
          { name: request.body.name, ip: request.ip },
          now(),
        );
        throw new CoordinatorError(401, 'bad-login', 'Wrong operator name or password.');
      }
      await audit(store, `operator:${operator.name}`, 'operator.login', { ip: request.ip }, now());
      return startSession(operator.id, operator.name, reply);
    },
  });

  api.post('/v1/operator/setup', {
    schema: {
      tags: ['operator'],
      summary: 'Create the first operator with the one-time setup link',
      body: setupRequest,
      response: { 200: sessionResponse },
    },
    config: { rateLimit: options.loginRateLimit },
    handler: async (request, reply) => {
      if (
        (await operatorCount(store)) > 0 ||
        !(await consumeSetupToken(store, request.body.token, now()))
      )
        throw new CoordinatorError(
          403,
          'setup-closed',
          'This setup link is not valid (used, expired, or an operator already exists).',
        );
      const operator = await createOperator(store, request.body.name, request.body.password, now());
      return startSession(operator.id, operator.name, reply);
    },
  });

  api.get('/v1/operator/session', {
    schema: {
      tags: ['operator'],
      summary: 'The logged-in operator and CSRF token',
      response: { 200: sessionResponse },
    },
    preHandler: options.requireOperator,
    handler: async (request) => ({
      operator: request.operator!.operator,
      csrfToken: request.operator!.csrfToken,
      expiresAt: request.operator!.expiresAt,
    }),
  });

  api.post('/v1/operator/logout', {
    schema: { tags: ['operator'], summary: 'End the session', response: { 200: okResponse } },
    preHandler: options.requireOperator,
    handler: async (request, reply) => {
      const cookie = request.cookies[sessionCookie];
      if (cookie) await deleteSession(store, cookie);
      reply.clearCookie(sessionCookie, cookieOptions);
      return { ok: true as const };
    },
  });
}
