import type { FastifyReply, FastifyRequest } from 'fastify';
import { headers } from '../../federated/protocol/index.ts';
import { CoordinatorError } from '../errors.ts';
import type { CoordinatorStore } from '../store/sql.ts';
import { csrfMatches, lookupSession, type SessionInfo } from './accounts.ts';

export const sessionCookie = 'breadcast_session';

declare module 'fastify' {
  interface FastifyRequest {
    operator?: SessionInfo;
  }
}

const safeMethods = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * preHandler for operator routes: a live session cookie, and on every state-changing request
 * the CSRF token bound to that session in `x-csrf-token`. Shop signatures never count here.
 */
export function operatorAuthenticator(options: { store: CoordinatorStore; now: () => Date }) {
  return async function requireOperator(
    request: FastifyRequest,
    _reply: FastifyReply,
  ): Promise<void> {
    const cookie = request.cookies?.[sessionCookie];
    const session = cookie ? await lookupSession(options.store, cookie, options.now()) : null;
    if (!session)
      throw new CoordinatorError(401, 'login-required', 'Please log in as an operator.');
    if (!safeMethods.has(request.method)) {
      const given = request.headers[headers.csrf];
      if (!csrfMatches(session.csrfToken, typeof given === 'string' ? given : undefined))
        throw new CoordinatorError(
          403,
          'csrf',
          'This change was not sent by the dashboard (missing or wrong CSRF token).',
        );
    }
    request.operator = session;
  };
}
