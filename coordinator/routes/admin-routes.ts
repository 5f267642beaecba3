import cron from 'node-cron';
import type { FastifyInstance, preHandlerAsyncHookHandler } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import {
  coordinatorSettings,
  errorBody,
  inviteRequest,
  inviteResponse,
  modelsResponse,
  modelVersionParams,
  okResponse,
  roundIdParams,
  roundsResponse,
  roundSummary,
  privacyBudgetSettings,
  roundSettings,
  settingsUpdate,
  shopIdParams,
  shopsResponse,
  startRoundRequest,
} from '../../federated/protocol/index.ts';
import { CoordinatorError } from '../errors.ts';
import type { RoundEngine } from '../rounds/engine.ts';
import { audit } from '../store/database.ts';
import type { CoordinatorStore, Sql } from '../store/sql.ts';
import { currentModelVersion, listModels, metricsOf } from '../store/models.ts';
import {
  getRound,
  listRounds,
  participationOf,
  roundViewOf,
  type RoundRow,
} from '../store/rounds.ts';
import { loadCoordinatorSettings, saveCoordinatorSettings } from '../store/settings.ts';
import { createInvite, listShops, revokeShop } from '../store/shops.ts';

export type AdminRouteOptions = {
  store: CoordinatorStore;
  now: () => Date;
  engine: RoundEngine;
  requireOperator: preHandlerAsyncHookHandler;
};

async function summary(sql: Sql, round: RoundRow): Promise<z.infer<typeof roundSummary>> {
  return {
    ...roundViewOf(round),
    closedAt: round.closed_at,
    ...(await participationOf(sql, round.id)),
    phaseLog: JSON.parse(round.phase_log) as z.infer<typeof roundSummary>['phaseLog'],
  };
}

/** What the operator (and the dashboard) can do: invites, shops, rounds, models, settings. */
export async function adminRoutes(app: FastifyInstance, options: AdminRouteOptions): Promise<void> {
  const { store, now, engine } = options;
  const api = app.withTypeProvider<ZodTypeProvider>();
  const guarded = { preHandler: options.requireOperator };
  const tags = ['operator'];
  const actor = (request: { operator?: { operator: string } }) =>
    `operator:${request.operator?.operator ?? '?'}`;

  api.post('/v1/operator/invites', {
    ...guarded,
    schema: {
      tags,
      summary: 'Create a one-time, expiring invite code (shown once)',
      body: inviteRequest,
      response: { 200: inviteResponse },
    },
    handler: async (request) => {
      const at = now();
      const expiresAt = new Date(at.getTime() + request.body.expiresInHours * 3600_000);
      const code = await createInvite(
        store,
        { expiresAt, operatorId: request.operator!.operatorId, note: request.body.note },
        at,
      );
      await audit(
        store,
        actor(request),
        'invite.created',
        { expiresAt: expiresAt.toISOString(), note: request.body.note },
        at,
      );
      return { code, expiresAt: expiresAt.toISOString() };
    },
  });

  api.get('/v1/operator/shops', {
    ...guarded,
    schema: {
      tags,
      summary: 'Enrolled shops with last seen, app version and rounds joined',
      response: { 200: shopsResponse },
    },
    handler: async () => ({
      shops: (await listShops(store)).map((shop) => ({
        id: shop.id,
        name: shop.name,
        appVersion: shop.app_version,
        enrolledAt: shop.enrolled_at,
        lastSeenAt: shop.last_seen_at,
        revokedAt: shop.revoked_at,
        roundsJoined: shop.rounds_joined,
      })),
    }),
  });

  api.post('/v1/operator/shops/:shopId/revoke', {
    ...guarded,
    schema: {
      tags,
      summary: 'Revoke a shop: its signed requests are refused from now on',
      params: shopIdParams,
      response: { 200: okResponse, 404: errorBody },
    },
    handler: async (request) => {
      if (!(await revokeShop(store, request.params.shopId, now())))
        throw new CoordinatorError(404, 'no-shop', 'No active shop with that id.');
      await audit(store, actor(request), 'shop.revoked', { shop: request.params.shopId }, now());
      return { ok: true as const };
    },
  });

  api.get('/v1/operator/rounds', {
    ...guarded,
    schema: {
      tags,
      summary: 'Round history, newest first',
      querystring: z.object({ limit: z.coerce.number().int().min(1).max(1000).default(100) }),
      response: { 200: roundsResponse },
    },
    handler: async (request) => ({
      rounds: await Promise.all(
        (await listRounds(store, request.query.limit)).map((round) => summary(store, round)),
      ),
    }),
  });

  api.get('/v1/operator/rounds/:roundId', {
    ...guarded,
    schema: {
      tags,
      summary: 'One round',
      params: roundIdParams,
      response: { 200: roundSummary, 404: errorBody },
    },
    handler: async (request) => {
      const round = await getRound(store, request.params.roundId);
      if (!round) throw new CoordinatorError(404, 'no-round', 'No such round.');
      return summary(store, round);
    },
  });

  api.post('/v1/operator/rounds', {
    ...guarded,
    schema: {
      tags,
      summary: 'Start a round now (optionally overriding settings for this round)',
      body: startRoundRequest,
      response: { 200: roundSummary, 409: errorBody },
    },
    handler: async (request) => {
      const round = await engine.startRound('operator', request.body.settings ?? {});
      await audit(store, actor(request), 'round.started', { round: round.id }, now());
      return summary(store, round);
    },
  });

  api.post('/v1/operator/rounds/:roundId/close-phase', {
    ...guarded,
    schema: {
      tags,
      summary: 'End the current phase of a round now, as if its deadline had passed',
      params: roundIdParams,
      response: { 200: roundSummary, 404: errorBody },
    },
    handler: async (request) => {
      await audit(
        store,
        actor(request),
        'round.phase-closed',
        { round: request.params.roundId },
        now(),
      );
      return summary(store, await engine.advance(request.params.roundId, 'operator'));
    },
  });

  api.get('/v1/operator/models', {
    ...guarded,
    schema: {
      tags,
      summary: 'Model versions with their averaged federated evaluation',
      response: { 200: modelsResponse },
    },
    handler: async () => {
      const current = await currentModelVersion(store);
      const models = await listModels(store);
      const metrics = await Promise.all(models.map((model) => metricsOf(store, model.version)));
      return {
        models: models.map((model, index) => {
          const figures = metrics[index];
          return {
            version: model.version,
            roundId: model.round_id,
            parentVersion: model.parent_version,
            sha256: model.sha256,
            parameterCount: model.parameter_count,
            createdAt: model.created_at,
            current: model.version === current,
            metrics:
              figures && figures.n > 0
                ? {
                    reports: figures.reports,
                    n: figures.n,
                    pinball: figures.pinball_sum / figures.n,
                    wape: figures.wape_sum / figures.n,
                  }
                : null,
          };
        }),
      };
    },
  });

  api.post('/v1/operator/models/:version/rollback', {
    ...guarded,
    schema: {
      tags,
      summary: 'Make an earlier model version the current one; the next round starts from it',
      params: modelVersionParams,
      response: { 200: okResponse, 404: errorBody },
    },
    handler: async (request) => {
      await engine.rollback(request.params.version, actor(request));
      return { ok: true as const };
    },
  });

  api.get('/v1/operator/settings', {
    ...guarded,
    schema: {
      tags,
      summary: 'Round schedule and default round settings',
      response: { 200: coordinatorSettings },
    },
    handler: async () => loadCoordinatorSettings(store),
  });

  api.put('/v1/operator/settings', {
    ...guarded,
    schema: {
      tags,
      summary: 'Change the schedule or the default round settings',
      body: settingsUpdate,
      response: { 200: coordinatorSettings, 400: errorBody },
    },
    handler: async (request) => {
      // Read, change and write under one lock, so two operators' changes cannot undo each other.
      const next = await store.transaction(async (tx) => {
        await tx.lock('settings');
        const current = await loadCoordinatorSettings(tx);
        const schedule =
          request.body.schedule === undefined ? current.schedule : request.body.schedule;
        if (schedule !== null && !cron.validate(schedule))
          throw new CoordinatorError(
            400,
            'bad-schedule',
            `"${schedule}" is not a valid cron expression.`,
          );
        const changed = {
          schedule,
          round: roundSettings.parse({ ...current.round, ...request.body.round }),
          // Stored under the coordinator settings, where the budget stop and the dashboard read it.
          privacy: privacyBudgetSettings.parse({ ...current.privacy, ...request.body.privacy }),
        };
        await saveCoordinatorSettings(tx, changed);
        await audit(tx, actor(request), 'settings.changed', request.body, now());
        return changed;
      });
      await engine.schedule();
      return next;
    },
  });
}
