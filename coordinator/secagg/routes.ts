import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { ZodType } from 'zod';
import { errorBody, roundIdParams } from '../../federated/protocol/index.ts';
import { assertCryptoAvailable } from '../../federated/secagg/primitives.ts';
import { droppedSoFar, shareKeysFor } from '../../federated/secagg/coordinator-round.ts';
import { unmaskRequestOf } from '../../federated/secagg/coordinator-unmask.ts';
import {
  MASKED_CONTENT_TYPE,
  secureAck,
  secureRoundView,
  type SecureAck,
  type SecureRoundView,
} from '../../federated/secagg/round-http.ts';
import type { ShareRecord } from '../../federated/secagg/round-types.ts';
import {
  advertisementMessage,
  confirmation,
  parseMaskedUpload,
  shareKeysMessage,
  unmaskMessage,
} from '../../federated/secagg/round-wire.ts';
import type { CoordinatorContext } from '../app.ts';
import { CoordinatorError } from '../errors.ts';
import { activeRound, getRound, settingsOf, type RoundRow } from '../store/rounds.ts';
import { kindsSent, recordsTo } from '../store/secagg.ts';
import {
  receiveAdvertisement,
  receiveConfirmation,
  receiveMasked,
  receiveShareKeys,
  receiveUnmask,
} from './messages.ts';
import { recoverIfReady } from './recovery.ts';
import { roundData, treeOf } from './round-data.ts';
import { asCoordinatorError, loadHeader, type SecureHeader } from './state.ts';

/** Largest masked upload: 4 bytes a coordinate at the wire's 10M-coordinate cap, plus its header. */
const maxMaskedBytes = 48 * 1024 * 1024;

/** What one shop needs in the round's current phase (round-http.ts secureRoundView). */
async function viewFor(
  context: CoordinatorContext,
  round: RoundRow,
  header: SecureHeader,
  me: string,
): Promise<SecureRoundView> {
  const { store } = context;
  const sent = await kindsSent(store, round.id, me);
  const view: SecureRoundView = {
    roundId: round.id,
    phase: round.phase,
    params: header.params,
    share: null,
    collect: null,
    confirm: null,
    unmask: null,
    received: {
      advertise: sent.has('advertise'),
      shares: sent.has('shares'),
      masked: sent.has('masked'),
      confirm: sent.has('confirm'),
      unmask: sent.has('unmask'),
    },
    dropped: header.convicted[me] ?? header.excluded[me] ?? null,
  };
  if (view.dropped) return view;
  if (round.phase === 'share' && header.roster?.some((e) => e.shopId === me)) {
    const data = await roundData(store, round.id, header);
    view.share = {
      roster: header.roster,
      shareKeys: shareKeysFor(data.graph, (id) => treeOf(data, id), me),
    };
  } else if (round.phase === 'collect' && header.sharers?.includes(me)) {
    const { graph } = await roundData(store, round.id, header);
    const records = await recordsTo(store, round.id, me);
    const sharers = new Set(header.sharers);
    // In the order of this shop's neighbours, as the core's sharesFor gives them.
    const shares = graph
      .neighbours(me)
      .filter((v) => sharers.has(v) && records.has(v))
      .map((v) => JSON.parse(records.get(v)!) as ShareRecord);
    view.collect = { shares, dropped: droppedSoFar(header) };
  } else if (round.phase === 'confirm' && header.survivors?.includes(me)) {
    view.confirm = { survivors: header.survivors };
  } else if (
    round.phase === 'unmask' &&
    header.phase === 'unmask' &&
    header.confirmations?.some((c) => c.shopId === me)
  ) {
    view.unmask = unmaskRequestOf(header);
  }
  return view;
}

/**
 * The shop-facing routes of a secure round (all signed; contract in round-http.ts): one GET a
 * polling shop reads in every phase, and one POST per protocol message. Each message is checked
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

  api.get('/v1/rounds/:roundId/secagg', {
    preHandler: requireShop,
    schema: {
      tags,
      summary: 'What this shop needs in the current secure-aggregation phase',
      params: roundIdParams,
      response: { 200: secureRoundView, 404: errorBody, 409: errorBody },
    },
    handler: async (request) => {
      const roundId = request.params.roundId;
      const round = await getRound(store, roundId);
      if (!round) throw new CoordinatorError(404, 'no-round', `There is no round ${roundId}.`);
      const header = loadHeader(round);
      if (header) return viewFor(context, round, header, request.shop!.id);
      if (settingsOf(round).mode !== 'secure')
        throw new CoordinatorError(
          409,
          'wrong-mode',
          `Round ${roundId} does not use secure aggregation.`,
        );
      // Still open (or failed before advertising began): nothing to do yet.
      const none = {
        advertise: false,
        shares: false,
        masked: false,
        confirm: false,
        unmask: false,
      };
      return {
        roundId,
        phase: round.phase,
        params: null,
        share: null,
        collect: null,
        confirm: null,
        unmask: null,
        received: none,
        dropped: null,
      };
    },
  });

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
      const header = round && loadHeader(round);
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
