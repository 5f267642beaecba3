import fastifyStatic from '@fastify/static';
import type { FastifyPluginAsync } from 'fastify';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const dashboardDist = fileURLToPath(new URL('../../dist/dashboard', import.meta.url));

export type DashboardStaticOptions = { root?: string };

/**
 * Serves the built operator dashboard (coordinator/dashboard → dist/dashboard) at /dashboard/.
 * The page loads nothing from elsewhere, and the policy below keeps it that way.
 */
export const dashboardStaticPlugin: FastifyPluginAsync<DashboardStaticOptions> = async (
  app,
  options,
) => {
  const root = options.root ?? dashboardDist;
  app.addHook('onSend', async (_request, reply) => {
    reply.header('x-content-type-options', 'nosniff');
    reply.header('x-frame-options', 'DENY');
    reply.header('referrer-policy', 'no-referrer');
    reply.header(
      'content-security-policy',
      "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'",
    );
  });
  app.get('/dashboard', (_request, reply) => reply.redirect('/dashboard/'));
  if (!existsSync(join(root, 'index.html'))) {
    app.get('/dashboard/*', (_request, reply) =>
      reply
        .code(503)
        .type('text/plain')
        .send(
          'The operator dashboard is not built: run `npm run build` (or `npx vite build --config coordinator/dashboard/vite.config.ts`).',
        ),
    );
    return;
  }
  await app.register(fastifyStatic, {
    root,
    prefix: '/dashboard/',
    decorateReply: false,
    // index.html must be re-read after a deploy; the hashed assets may be cached for good.
    setHeaders: (response, path) => {
      response.header(
        'cache-control',
        path.endsWith('.html') ? 'no-cache' : 'public, max-age=31536000, immutable',
      );
    },
  });
};
