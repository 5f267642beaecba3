import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { errorBody, roundIdParams } from '../../federated/protocol/index.ts';
import {
  acceptAdvertisement,
  acceptMaskedInput,
  acceptShareKeys,
  acceptUnmask,
  assertCryptoAvailable,
  compactServerState,
  recoverSum,
  routeShares,
} from '../../federated/secagg/index.ts';
import {
  advertisementBody,
  maskedInputBody,
  secureAck,
  secureRoundView,
  shareKeysBody,
  unmaskBody,
} from '../../federated/secagg/wire.ts';
import type { ServerState } from '../../federated/secagg/types.ts';
import type { SecureAck } from '../../federated/secagg/wire.ts';
import type { ZodType } from 'zod';
import type { CoordinatorContext } from '../app.ts';
import { CoordinatorError } from '../errors.ts';
import { audit } from '../store/database.ts';
import {
  activeRound,
  checkIn,
  getRound,
  markUploaded,
  uploadedAt,
  settingsOf,
  type RoundRow,
} from '../store/rounds.ts';
import type { Sql } from '../store/sql.ts';
import type { RoundPhase } from '../../federated/protocol/index.ts';
import { loadSecAggState, saveSecAggState, withSecAggState } from './state.ts';

/** Largest masked upload accepted: 4 bytes per parameter in base64, for models up to ~12M parameters. */
const maxMaskedBytes = 64 * 1024 * 1024;

/**
 * The shop-facing SecAgg routes (all signed): one GET a polling shop reads in every phase, and
 * one POST per protocol message. Each POST is validated by the shared schema, checked against
 * the authenticated shop, applied to the round's stored state in one transaction and then
 * acknowledged; an identical retry is answered as a duplicate, a different second message is
 * refused with 409.
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

  const wrongPhase = (round: RoundRow, phase: RoundPhase) =>
    new CoordinatorError(409, 'wrong-phase', `Round ${round.id} is ${round.phase}, not ${phase}.`, {
      phase: round.phase,
    });

  const running = async (roundId: number, phase: RoundPhase): Promise<RoundRow> => {
    const round = await getRound(store, roundId);
    if (!round) throw new CoordinatorError(404, 'no-round', `There is no round ${roundId}.`);
    // Only one round runs at a time, so a round in a running phase is the active one.
    if (round.phase !== phase) throw wrongPhase(round, phase);
    return round;
  };

  const ownMessage = (shopId: string, bodyShopId: string) => {
    if (shopId !== bodyShopId)
      throw new CoordinatorError(
        403,
        'not-yours',
        'A shop can send secure-aggregation messages only as itself.',
      );
  };

  /** Applies one message; returns the acknowledgement and tells the engine when something changed. */
  const accept = async (
    roundId: number,
    phase: RoundPhase,
    apply: (state: ServerState) => ServerState,
    after?: (tx: Sql) => Promise<void>,
  ) => {
    await running(roundId, phase);
    const duplicate = await withSecAggState(store, roundId, async (state, round, tx) => {
      // Checked again under the round's lock: the phase may have ended since the check above.
      if (round.phase !== phase) throw wrongPhase(round, phase);
      const next = apply(state);
      if (next !== state) await after?.(tx);
      return { state: next, result: next === state };
    });
    if (!duplicate) await engine.afterRequest(roundId);
    return { roundId, accepted: true as const, duplicate, receivedAt: now().toISOString() };
  };

  /** Rebuilds the sum once t shops answered; rebuilding is asynchronous, so it runs outside the transaction. */
  const recoverIfReady = async (roundId: number) => {
    const round = await getRound(store, roundId);
    const state = round && loadSecAggState(round);
    if (!state || state.phase !== 'unmask') return;
    if (Object.keys(state.unmaskMessages).length < state.params.threshold) return;
    const recovered = compactServerState(await recoverSum(state));
    const stored = await store.transaction(async (tx) => {
      const fresh = await getRound(tx, roundId, 'update');
      const current = fresh && loadSecAggState(fresh);
      if (!current || current.phase !== 'unmask' || fresh.phase !== 'unmask') return false;
      await saveSecAggState(tx, roundId, recovered);
      await audit(
        tx,
        'system',
        recovered.phase === 'done' ? 'secagg.sum-recovered' : 'secagg.unmask-failed',
        {
          round: roundId,
          survivors: recovered.unmaskRequest?.survivors.length ?? 0,
          reason: recovered.failure ?? null,
        },
        now(),
      );
      return true;
    });
    if (stored) await engine.afterRequest(roundId);
  };

  app.addHook('onReady', async () => {
    // A coordinator stopped between the t-th unmask answer and storing the sum finishes here.
    const round = await activeRound(store);
    if (round?.phase === 'unmask')
      await recoverIfReady(round.id).catch((error) =>
        log.error({ err: error }, 'sum recovery failed'),
      );
  });
  // …or, when coordinators share the store, whichever of the others watches next.
  engine.addWatcher(async (round) => {
    if (round?.phase === 'unmask') await recoverIfReady(round.id);
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
      const state = loadSecAggState(round);
      if (!state) {
        if (settingsOf(round).mode !== 'secure')
          throw new CoordinatorError(
            409,
            'wrong-mode',
            `Round ${roundId} does not use secure aggregation.`,
          );
        // Still open (or failed before advertising began): nothing to do yet.
        const none = { advertisement: false, shares: false, maskedInput: false, unmask: false };
        return {
          roundId,
          phase: round.phase,
          params: null,
          roster: null,
          sharesForMe: null,
          unmaskRequest: null,
          received: none,
        };
      }
      const me = request.shop!.id;
      return {
        roundId,
        phase: round.phase,
        params: state.params,
        roster: round.phase === 'share' ? (state.roster ?? null) : null,
        sharesForMe:
          round.phase === 'collect' && state.sharers?.includes(me) ? routeShares(state, me) : null,
        unmaskRequest: round.phase === 'unmask' ? (state.unmaskRequest ?? null) : null,
        received: {
          advertisement: me in state.advertisements,
          shares: me in state.shareMessages,
          maskedInput: me in state.maskedInputs,
          unmask: me in state.unmaskMessages,
        },
      };
    },
  });

  const post = <B>(
    path: string,
    summary: string,
    body: ZodType<B>,
    handle: (roundId: number, shopId: string, body: B) => Promise<SecureAck> | SecureAck,
    bodyLimit?: number,
  ) =>
    api.post(`/v1/rounds/:roundId/secagg/${path}`, {
      preHandler: requireShop,
      ...(bodyLimit ? { bodyLimit } : {}),
      schema: {
        tags,
        summary,
        params: roundIdParams,
        body,
        response: {
          200: secureAck,
          400: errorBody,
          403: errorBody,
          404: errorBody,
          409: errorBody,
        },
      },
      handler: async (request) =>
        handle(request.params.roundId, request.shop!.id, request.body as B),
    });

  post(
    'advertise',
    'Round 0: this shop’s signed round keys',
    advertisementBody,
    (roundId, shopId, ad) => {
      ownMessage(shopId, ad.shopId);
      return accept(
        roundId,
        'advertise',
        (s) => acceptAdvertisement(s, ad),
        (tx) => checkIn(tx, roundId, shopId, now()),
      );
    },
  );

  post(
    'shares',
    'Round 1: encrypted Shamir shares for every other shop',
    shareKeysBody,
    (roundId, shopId, msg) => {
      ownMessage(shopId, msg.shopId);
      return accept(roundId, 'share', (s) => acceptShareKeys(s, msg));
    },
  );

  post(
    'masked',
    'Round 2: this shop’s masked update',
    maskedInputBody,
    async (roundId, shopId, msg) => {
      ownMessage(shopId, msg.shopId);
      // The same upload again (its answer was lost) gets its original receipt, whatever phase the
      // round has reached since: the shop must learn it counted, not that it came too late.
      const round = await getRound(store, roundId);
      const held = round && loadSecAggState(round)?.maskedInputs[shopId];
      const receivedAt = held === msg.masked ? await uploadedAt(store, roundId, shopId) : null;
      if (receivedAt) return { roundId, accepted: true as const, duplicate: true, receivedAt };
      return accept(
        roundId,
        'collect',
        (s) => acceptMaskedInput(s, msg),
        (tx) => markUploaded(tx, roundId, shopId, now().toISOString()),
      );
    },
    maxMaskedBytes,
  );

  post(
    'unmask',
    'Round 3: shares that remove the masks of survivors and dropped shops',
    unmaskBody,
    async (roundId, shopId, msg) => {
      ownMessage(shopId, msg.shopId);
      const ack = await accept(roundId, 'unmask', (s) => acceptUnmask(s, msg));
      await recoverIfReady(roundId);
      return ack;
    },
  );
}
