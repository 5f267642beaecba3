import type { FastifyPluginAsync, preHandlerAsyncHookHandler } from 'fastify';
import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  serializerCompiler,
  validatorCompiler,
  type ZodTypeProvider,
} from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { CoordinatorStore } from '../store/sql.ts';
import {
  ModelsView,
  OverviewView,
  PrivacyView,
  RoundDetailView,
  RoundIdParams,
  RoundsView,
  ShopsView,
} from '../../federated/protocol/operator-views.ts';
import { ChangeFeed } from './change-feed.ts';
import { modelsView } from './models-view.ts';
import { overviewView } from './overview-view.ts';
import { shopsView } from './participation.ts';
import { privacyView } from './privacy-view.ts';
import { roundDetailView } from './round-detail.ts';
import { roundRow, storedRounds } from './rounds-view.ts';

export type OperatorViewsOptions = {
  store: CoordinatorStore;
  /** The coordinator's operator guard: session cookie required, shop credentials refused. */
  requireOperator: preHandlerAsyncHookHandler;
  /** When the schedule next opens a round (null: manual only). */
  nextRoundAt?: () => Date | null;
  /** Whether the engine runs the settings' schedule (a coordinator may be started without it). */
  schedulerRunning?: () => boolean;
  now?: () => Date;
  /** How often the event stream looks for changes. */
  changePollMs?: number;
};

const errorBody = z.object({ error: z.string(), message: z.string() });

/**
 * Read-only views for the operator dashboard, registered under the operator prefix
 * (`/v1/operator`): `GET /views/overview|shops|rounds|rounds/:id|models|privacy` and the
 * server-sent event stream `GET /events`. Every route sits behind `requireOperator`.
 */
export const operatorViewsPlugin: FastifyPluginAsync<OperatorViewsOptions> = async (
  parent,
  options,
) => {
  const app = parent.withTypeProvider<ZodTypeProvider>();
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  const { store } = options;
  const now = options.now ?? (() => new Date());
  const feed = new ChangeFeed(store, options.changePollMs ?? 2000);
  const streams = new Set<ServerResponse>();
  // Open event streams would otherwise hold a closing server open until the browsers hang up.
  app.addHook('preClose', async () => {
    for (const stream of streams) stream.end();
    feed.close();
  });
  app.addHook('preHandler', options.requireOperator);
  app.addHook('onSend', async (_request, reply) => {
    reply.header('cache-control', 'no-store');
  });

  const tags = ['operator dashboard'];
  const unauthorised = { 401: errorBody };

  app.get(
    '/views/overview',
    {
      schema: {
        tags,
        summary: "Tonight's round, shops online, current model, error trend, privacy spent",
        response: { 200: OverviewView, ...unauthorised },
      },
    },
    async () =>
      overviewView(store, {
        now: now(),
        nextRoundAt: options.nextRoundAt?.() ?? null,
        schedulerRunning: options.schedulerRunning?.() ?? false,
      }),
  );

  app.get(
    '/views/shops',
    {
      schema: {
        tags,
        summary: 'Shops with participation (no per-shop metrics), invites, participation by day',
        response: { 200: ShopsView, ...unauthorised },
      },
    },
    async () => shopsView(store, now()),
  );

  app.get(
    '/views/rounds',
    {
      schema: {
        tags,
        summary: 'Round history with participants, dropouts, phase durations and outcome',
        response: { 200: RoundsView, ...unauthorised },
      },
    },
    async () => ({
      rounds: await Promise.all((await storedRounds(store)).map((round) => roundRow(store, round))),
    }),
  );

  app.get(
    '/views/rounds/:id',
    {
      schema: {
        tags,
        summary: 'One round: phases, settings, which shops took part, aggregate evaluation',
        params: RoundIdParams,
        response: { 200: RoundDetailView, 404: errorBody, ...unauthorised },
      },
    },
    async (request, reply) => {
      const detail = await roundDetailView(store, request.params.id);
      if (!detail)
        return reply
          .code(404)
          .send({ error: 'not-found', message: `There is no round ${request.params.id}.` });
      return detail;
    },
  );

  app.get(
    '/views/models',
    {
      schema: {
        tags,
        summary: 'Model versions with their aggregate federated evaluation',
        response: { 200: ModelsView, ...unauthorised },
      },
    },
    async () => modelsView(store),
  );

  app.get(
    '/views/privacy',
    {
      schema: {
        tags,
        summary: 'Privacy budget spent per round and in total',
        response: { 200: PrivacyView, ...unauthorised },
      },
    },
    async () => privacyView(store),
  );

  app.get(
    '/events',
    {
      schema: {
        tags,
        summary:
          'Server-sent events: `changed` whenever rounds, shops, models or settings moved (text/event-stream)',
        response: { 200: z.string().describe('text/event-stream'), ...unauthorised },
      },
    },
    (request, reply) => {
      reply.hijack();
      streamChanges(feed, streams, request.raw, reply.raw);
    },
  );
};

function streamChanges(
  feed: ChangeFeed,
  streams: Set<ServerResponse>,
  request: IncomingMessage,
  response: ServerResponse,
): void {
  streams.add(response);
  response.writeHead(200, {
    'content-type': 'text/event-stream',
    'cache-control': 'no-store',
    connection: 'keep-alive',
    'x-accel-buffering': 'no', // nginx would otherwise hold the stream back
  });
  const send = () =>
    response.write(
      `event: changed\ndata: ${JSON.stringify({ type: 'changed', at: new Date().toISOString() })}\n\n`,
    );
  const unsubscribe = feed.subscribe(send);
  // "connected" once the feed holds the fingerprint this operator starts from: any change made
  // after an operator (or a test) reads it is one the stream reports.
  void feed.check().then(() => response.write('retry: 3000\n: connected\n\n'));
  // Proxies drop idle connections; a comment line every 20 s keeps the stream open.
  const heartbeat = setInterval(() => response.write(': keep-alive\n\n'), 20_000);
  heartbeat.unref();
  request.on('close', () => {
    streams.delete(response);
    clearInterval(heartbeat);
    unsubscribe();
  });
}
