import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { ZodType } from 'zod';
import { errorBody, roundIdParams } from '../../federated/protocol/index.ts';
import { assertCryptoAvailable } from '../../federated/secagg/primitives.ts';
import {
  MASKED_CONTENT_TYPE,
  secureAck,
  type SecureAck,
} from '../../federated/secagg/round-http.ts';
import {
  advertisementMessage,
  confirmation,
  parseMaskedUpload,
  shareKeysMessage,
  unmaskMessage,
} from '../../federated/secagg/round-wire.ts';
import type { CoordinatorContext } from '../app.ts';
import { CoordinatorError } from '../errors.ts';
import { activeRound, getRound } from '../store/rounds.ts';
import {
  receiveAdvertisement,
  receiveConfirmation,
  receiveMasked,
  receiveShareKeys,
  receiveUnmask,
} from './messages.ts';
import { recoverIfReady } from './recovery.ts';
import { asCoordinatorError, loadHeader } from './state.ts';
import { secureViewRoutes } from './views.ts';

/** Largest masked upload: 4 bytes a coordinate at the wire's 10M-coordinate cap, plus its header. */
const maxMaskedBytes = 48 * 1024 * 1024;

/**
 * The shop-facing routes of a secure round (all signed; contract in round-http.ts): what a shop
 * reads (views.ts), and one POST per protocol message. Each message is checked
 * against the authenticated shop and the round by the core, stored as its own row, then
 * acknowledged; the same message again gets its first receipt in any phase.
 */
export async function secureAggregationRoutes(
  app: FastifyInstance,
  context: CoordinatorContext,
): Promise<void> {
  // Refuse to start without the primitives SecAgg relies on (BoringSSL builds lack some ciphers).
  assertCryptoAvailable();
  const { store, now, engine, requireShop, log } = context;
  const api = app.withTypeProvider<ZodTypeProvider>();
  const tags = ['secure aggregation'];
  const receiving = { store, now };

  // The masked upload is binary; the signature covers its bytes as received.
  app.addContentTypeParser(
    MASKED_CONTENT_TYPE,
    { parseAs: 'buffer', bodyLimit: maxMaskedBytes },
    (request, body, done) => {
      request.rawBody = body as Buffer;
      done(null, body);
    },
  );

  const recover = async (roundId: number) => {
    if (await recoverIfReady(store, roundId, now)) await engine.afterRequest(roundId);
  };
  app.addHook('onReady', async () => {
    // A coordinator stopped between the last unmask answer and storing the sum finishes here.
    const round = await activeRound(store);
    if (round?.phase === 'unmask')
      await recover(round.id).catch((error) => log.error({ err: error }, 'sum recovery failed'));
  });
  // …or, when coordinators share the store, whichever of the others watches next.
  engine.addWatcher(async (round) => {
    if (round?.phase === 'unmask') await recover(round.id);
  });

  await secureViewRoutes(app, context);

  const ownMessage = (shopId: string, bodyShopId: string) => {
    if (shopId !== bodyShopId)
      throw new CoordinatorError(
        403,
        'not-yours',
        'A shop can send secure-aggregation messages only as itself.',
      );
  };

  const post = <B>(
    path: string,
    summary: string,
    body: ZodType<B> | null,
    handle: (roundId: number, shopId: string, body: B) => Promise<SecureAck & { stored: boolean }>,
    after?: (roundId: number) => Promise<void>,
  ) =>
    api.post(`/v1/rounds/:roundId/secagg/${path}`, {
      preHandler: requireShop,
      ...(body ? {} : { bodyLimit: maxMaskedBytes }),
      schema: {
        tags,
        summary,
        params: roundIdParams,
        ...(body ? { body } : {}),
        response: {
          200: secureAck,
          400: errorBody,
          403: errorBody,
          404: errorBody,
          409: errorBody,
        },
      },
      handler: async (request) => {
        const roundId = request.params.roundId;
        const { stored, ...ack } = await handle(roundId, request.shop!.id, request.body as B);
        if (stored) await engine.afterRequest(roundId);
        await after?.(roundId);
        return ack;
      },
    });

  post(
    'advertise',
    'Advertise: this shop’s signed round keys',
    advertisementMessage,
    (roundId, shopId, ad) => {
      ownMessage(shopId, ad.shopId);
      return receiveAdvertisement(receiving, roundId, ad);
    },
  );

  post(
    'shares',
    'Share: encrypted, committed Shamir shares for each neighbour',
    shareKeysMessage,
    (roundId, shopId, message) => {
      ownMessage(shopId, message.shopId);
      return receiveShareKeys(receiving, roundId, message);
    },
  );

  post(
    'masked',
    'Collect: this shop’s masked contribution (binary) and any share reports',
    null,
    async (roundId, shopId, raw: unknown) => {
      if (!Buffer.isBuffer(raw))
        throw new CoordinatorError(
          415,
          'wrong-content-type',
          `The masked upload is sent as ${MASKED_CONTENT_TYPE}.`,
        );
      const round = await getRound(store, roundId);
      const header = round ? await loadHeader(store, round) : null;
      if (!header)
        throw new CoordinatorError(404, 'no-round', `There is no secure round ${roundId}.`);
      let upload;
      try {
        upload = parseMaskedUpload(raw, header.params.vectorLength);
      } catch (error) {
        throw asCoordinatorError(error);
      }
      ownMessage(shopId, upload.shopId);
      return receiveMasked(receiving, roundId, upload, raw);
    },
  );

  post(
    'confirm',
    'Confirm: this shop’s signature over the survivor set (the consistency check)',
    confirmation,
    (roundId, shopId, c) => {
      ownMessage(shopId, c.shopId);
      return receiveConfirmation(receiving, roundId, c);
    },
  );

  post(
    'unmask',
    'Unmask: shares that remove the masks of survivors and dropped shops',
    unmaskMessage,
    (roundId, shopId, message) => {
      ownMessage(shopId, message.shopId);
      return receiveUnmask(receiving, roundId, message);
    },
    recover,
  );
}
