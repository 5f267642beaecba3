import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { CoordinatorStore } from '../store/sql.ts';
import { CoordinatorMetrics } from './metrics.ts';
import { checkReadiness } from './readiness.ts';

/** How long `/ready` waits for the database before it calls the instance not ready. */
const readyTimeoutMs = 2000;

const liveResponse = z.object({ status: z.literal('live') });
const readyResponse = z.object({ status: z.literal('ready') });
const notReadyResponse = z.object({
  status: z.literal('not-ready'),
  reason: z.string(),
  message: z.string(),
});

/**
 * What runs the coordinator as a service needs: `/live` (the process answers: restart it when
 * not), `/ready` (it can serve: send it traffic), `/metrics` (Prometheus text). Added to the root
 * instance, so the hooks see every route. Probes and scrapes come every few seconds: their
 * requests are logged only when something goes wrong.
 */
export async function serviceEndpoints(
  app: FastifyInstance,
  options: { store: CoordinatorStore; now: () => Date },
): Promise<CoordinatorMetrics> {
  const { store } = options;
  const metrics = new CoordinatorMetrics(store, options.now);
  app.addHook('onSend', async (request, reply, payload) => {
    metrics.countUpload(request, reply, payload);
    return payload;
  });
  app.addHook('onResponse', async (request, reply) => metrics.observe(request, reply));

  const api = app.withTypeProvider<ZodTypeProvider>();
  const quiet = { logLevel: 'warn' as const };
  api.get('/live', {
    ...quiet,
    schema: {
      tags: ['service'],
      summary: 'Liveness: the process answers (it touches no database)',
      response: { 200: liveResponse },
    },
    handler: async () => ({ status: 'live' as const }),
  });
  api.get('/ready', {
    ...quiet,
    schema: {
      tags: ['service'],
      summary: 'Readiness: the database answers and holds exactly this version’s schema steps',
      response: { 200: readyResponse, 503: notReadyResponse },
    },
    handler: async (_request, reply) => {
      const readiness = await checkReadiness(store, readyTimeoutMs);
      if (readiness.ready) return { status: 'ready' as const };
      return reply.code(503).send({
        status: 'not-ready' as const,
        reason: readiness.reason,
        message: readiness.message,
      });
    },
  });
  api.get('/metrics', {
    ...quiet,
    schema: { tags: ['service'], summary: 'Prometheus metrics (text exposition format)' },
    handler: async (_request, reply) => {
      const text = await metrics.registry.metrics();
      return reply.header('content-type', metrics.registry.contentType).send(text);
    },
  });
  return metrics;
}
