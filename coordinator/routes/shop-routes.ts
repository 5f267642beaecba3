import type { FastifyInstance, FastifyReply, preHandlerAsyncHookHandler } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import {
  checkinResponse,
  currentRoundResponse,
  encodeFloat32,
  enrolRequest,
  enrolResponse,
  errorBody,
  isEd25519PublicKey,
  modelResponse,
  modelVersionParams,
  refusalAck,
  refusalReport,
  roundIdParams,
  sha256Hex,
  updateRequest,
  updateResponse,
} from '../../federated/protocol/index.ts';
import { CoordinatorError } from '../errors.ts';
import { coalesced } from '../rounds/per-turn.ts';
import { acceptPlainUpdate, batchedUploadPath } from '../rounds/plain-upload.ts';
import type { RoundEngine } from '../rounds/engine.ts';
import { audit } from '../store/database.ts';
import { currentModelVersion, getModel, modelWeights, type ModelRow } from '../store/models.ts';
import {
  activeRound,
  checkIn,
  getRound,
  hasUpdate,
  latestRound,
  roundViewOf,
} from '../store/rounds.ts';
import { recordRefusal } from '../store/privacy.ts';
import { enrolShop } from '../store/shops.ts';
import type { CoordinatorStore } from '../store/sql.ts';

export type ShopRouteOptions = {
  store: CoordinatorStore;
  now: () => Date;
  engine: RoundEngine;
  requireShop: preHandlerAsyncHookHandler;
  maxUpdateBytes: number;
  enrolRateLimit: { max: number; timeWindow: number };
};

const enrolRefusals = {
  'unknown-invite': [
    403,
    'This invite code is not known to the coordinator. Check it with the operator.',
  ],
  'expired-invite': [403, 'This invite code has expired. Ask the operator for a new one.'],
  'used-invite': [403, 'This invite code was already used. Ask the operator for a new one.'],
  'key-in-use': [409, 'This shop key is already enrolled.'],
} as const;

function modelBody(row: ModelRow) {
  return {
    version: row.version,
    roundId: row.round_id,
    parentVersion: row.parent_version,
    parameterCount: row.parameter_count,
    sha256: row.sha256,
    createdAt: row.created_at,
    encoding: 'f32le-base64' as const,
    weights: encodeFloat32(modelWeights(row)),
  };
}

/** The shop-facing API; every route but enrolment is signed by the shop. */
export async function shopRoutes(app: FastifyInstance, options: ShopRouteOptions): Promise<void> {
  const { store, now, engine, requireShop } = options;
  const api = app.withTypeProvider<ZodTypeProvider>();
  const signed = { preHandler: requireShop };
  // A burst of uploads shares reads, commits and end-of-phase checks (see per-turn.ts).
  const uploadPath = batchedUploadPath(store);
  // The end-of-collect check counts the round's answers: at most a tenth of the time on it.
  const checkRound = coalesced((roundId: number) => engine.afterRequest(roundId), { pause: 9 });
  const tags = ['shop'];

  api.post('/v1/enrol', {
    schema: {
      tags,
      summary: 'Enrol a shop with a one-time invite code and its Ed25519 public key',
      body: enrolRequest,
      response: { 200: enrolResponse, 403: errorBody, 409: errorBody },
    },
    config: { rateLimit: options.enrolRateLimit },
    handler: async (request) => {
      if (!isEd25519PublicKey(request.body.publicKey))
        throw new CoordinatorError(
          400,
          'bad-key',
          'The public key is not an Ed25519 key (base64 SPKI DER).',
        );
      const outcome = await enrolShop(store, request.body, now());
      if (!outcome.ok) {
        const [status, message] = enrolRefusals[outcome.reason];
        await audit(
          store,
          'anonymous',
          'shop.enrol-refused',
          { reason: outcome.reason, ip: request.ip },
          now(),
        );
        throw new CoordinatorError(status, outcome.reason, message);
      }
      await audit(
        store,
        `shop:${outcome.shop.id}`,
        'shop.enrolled',
        { name: outcome.shop.name, appVersion: outcome.shop.app_version },
        now(),
      );
      return {
        shopId: outcome.shop.id,
        shopName: outcome.shop.name,
        enrolledAt: outcome.shop.enrolled_at,
      };
    },
  });

  api.get('/v1/rounds/current', {
    ...signed,
    schema: {
      tags,
      summary: 'The running round (or the last one) and whether this shop already uploaded',
      response: { 200: currentRoundResponse, 401: errorBody },
    },
    handler: async (request) => {
      const round = (await activeRound(store)) ?? (await latestRound(store));
      const next = engine.nextScheduledRun();
      return {
        serverTime: now().toISOString(),
        round: round ? roundViewOf(round) : null,
        uploaded: round ? await hasUpdate(store, round.id, request.shop!.id) : false,
        nextRoundAt: next ? next.toISOString() : null,
        currentModelVersion: await currentModelVersion(store),
      };
    },
  });

  api.post('/v1/rounds/:roundId/checkin', {
    ...signed,
    schema: {
      tags,
      summary: 'Tell the coordinator this shop takes part in the round',
      params: roundIdParams,
      response: { 200: checkinResponse, 409: errorBody },
    },
    handler: async (request) => {
      const round = await getRound(store, request.params.roundId);
      // Only one round runs at a time, so a round that has not finished is the running one.
      if (!round || round.phase === 'published' || round.phase === 'failed')
        throw new CoordinatorError(
          409,
          'wrong-phase',
          `Round ${request.params.roundId} is not running.`,
        );
      const at = now();
      await checkIn(store, round.id, request.shop!.id, at);
      return { roundId: round.id, phase: round.phase, checkedInAt: at.toISOString() };
    },
  });

  api.post('/v1/rounds/:roundId/refusal', {
    ...signed,
    schema: {
      tags,
      summary: 'Why this shop skipped the round under its own privacy policy (codes and numbers)',
      params: roundIdParams,
      body: refusalReport,
      response: { 200: refusalAck, 404: errorBody, 409: errorBody },
    },
    handler: async (request) => {
      const roundId = request.params.roundId;
      const at = now();
      const outcome = await store.transaction(async (tx) => {
        if (!(await getRound(tx, roundId, 'share')))
          throw new CoordinatorError(404, 'no-round', `There is no round ${roundId}.`);
        const recorded = await recordRefusal(tx, {
          roundId,
          shopId: request.shop!.id,
          report: request.body,
          sha256: sha256Hex(request.rawBody ?? ''),
          now: at,
        });
        if (recorded === 'recorded')
          await audit(
            tx,
            request.shop!.id,
            'round.refused',
            {
              round: roundId,
              stage: request.body.stage,
              reasons: request.body.reasons.map((r) => r.code),
            },
            at,
          );
        return recorded;
      });
      if (outcome === 'conflict')
        throw new CoordinatorError(
          409,
          'already-reported',
          `This shop already reported a different refusal for round ${roundId}.`,
        );
      // A phase waiting for this shop need not wait for its deadline any more.
      if (outcome === 'recorded') await engine.afterRequest(roundId);
      return { roundId, recorded: true as const, duplicate: outcome === 'duplicate' };
    },
  });

  api.post('/v1/rounds/:roundId/update', {
    ...signed,
    bodyLimit: options.maxUpdateBytes,
    schema: {
      tags,
      summary: 'Upload this shop’s clipped model update (plain mode)',
      params: roundIdParams,
      body: updateRequest,
      response: { 200: updateResponse, 400: errorBody, 409: errorBody },
    },
    handler: async (request) => {
      const result = await acceptPlainUpdate(
        store,
        { roundId: request.params.roundId, shopId: request.shop!.id, body: request.body },
        now(),
        uploadPath,
      );
      if (!result.duplicate) await checkRound(request.params.roundId);
      return result;
    },
  });

  const sendModel = (
    row: ModelRow | undefined,
    ifNoneMatch: string | undefined,
    reply: FastifyReply,
  ) => {
    if (!row) throw new CoordinatorError(404, 'no-model', 'There is no such model version.');
    const etag = `"${row.sha256}"`;
    reply.header('etag', etag);
    reply.header('cache-control', 'no-cache');
    if (ifNoneMatch === etag) return reply.code(304).send();
    return modelBody(row);
  };

  api.get('/v1/models/current', {
    ...signed,
    schema: {
      tags,
      summary: 'The current global model (weights, version, sha256); ETag = sha256',
      response: { 200: modelResponse, 304: errorBody.optional(), 404: errorBody },
    },
    handler: async (request, reply) => {
      const version = await currentModelVersion(store);
      return sendModel(
        version === null ? undefined : await getModel(store, version),
        request.headers['if-none-match'],
        reply,
      );
    },
  });

  api.get('/v1/models/:version', {
    ...signed,
    schema: {
      tags,
      summary: 'One global model version',
      params: modelVersionParams,
      response: { 200: modelResponse, 304: errorBody.optional(), 404: errorBody },
    },
    handler: async (request, reply) =>
      sendModel(
        await getModel(store, request.params.version),
        request.headers['if-none-match'],
        reply,
      ),
  });

  // Per-shop accuracy figures in the clear would tell the coordinator how one bakery sells; the
  // consortium's figure comes only from a masked sum. Old apps get a clear answer.
  api.post('/v1/models/:version/metrics', {
    ...signed,
    schema: {
      tags,
      summary: 'Retired: per-shop evaluation figures are not accepted in the clear (410)',
      params: modelVersionParams,
      response: { 410: errorBody },
    },
    handler: async () => {
      throw new CoordinatorError(
        410,
        'metrics-retired',
        'This coordinator does not take a shop’s accuracy figures in the clear; update the app.',
      );
    },
  });
}
