/**
 * What a shop reads in a secure round (contract in round-http.ts): a small view it polls, and
 * the documents of each phase it fetches once, when the view says it owes that phase's message.
 * The documents every shop reads alike are serialised once per round (round-data.ts).
 */
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { ZodType } from 'zod';
import { errorBody, roundIdParams } from '../../federated/protocol/index.ts';
import { droppedSoFar, shareKeysFor } from '../../federated/secagg/coordinator-round.ts';
import { unmaskRequestOf } from '../../federated/secagg/coordinator-unmask.ts';
import {
  secureRoundView,
  shareInbox,
  shareKeysToEncrypt,
  signedRoster,
  type SecureMessageKind,
  type SecureRoundView,
} from '../../federated/secagg/round-http.ts';
import type { ShareRecord } from '../../federated/secagg/round-types.ts';
import { confirmRequest, unmaskRequest } from '../../federated/secagg/round-wire.ts';
import type { RoundPhase } from '../../federated/protocol/index.ts';
import type { CoordinatorContext } from '../app.ts';
import { CoordinatorError } from '../errors.ts';
import { getRound, settingsOf, type RoundRow } from '../store/rounds.ts';
import { kindsSent, recordsTo } from '../store/secagg.ts';
import { documentOf, roundData, treeOf } from './round-data.ts';
import { loadHeader, membersOf, type SecureHeader } from './state.ts';

const nothingReceived = {
  advertise: false,
  shares: false,
  masked: false,
  confirm: false,
  unmask: false,
};

/** Whether the header's current phase includes this shop (it owes that phase's message). */
function inPhase(header: SecureHeader, phase: string, me: string): boolean {
  const members = membersOf(header);
  switch (phase) {
    case 'advertise':
      return members.identities.has(me);
    case 'share':
      return members.roster.has(me);
    case 'collect':
      return members.sharers.has(me);
    case 'confirm':
      return members.survivors.has(me);
    case 'unmask':
      return header.phase === 'unmask' && members.confirmed.has(me);
    default:
      return false;
  }
}

const kindOfPhase: Partial<Record<string, SecureMessageKind>> = {
  advertise: 'advertise',
  share: 'shares',
  collect: 'masked',
  confirm: 'confirm',
  unmask: 'unmask',
};

async function viewFor(
  context: CoordinatorContext,
  round: RoundRow,
  header: SecureHeader,
  me: string,
): Promise<SecureRoundView> {
  const sent = await kindsSent(context.store, round.id, me);
  const dropped = header.convicted[me] ?? header.excluded[me] ?? null;
  const kind = kindOfPhase[round.phase];
  const owes =
    !dropped && kind && !sent.has(kind) && inPhase(header, round.phase, me) ? kind : null;
  return {
    roundId: round.id,
    phase: round.phase,
    phaseDeadline: round.phase_deadline,
    params: header.params,
    rosterHash: header.rosterHash ?? null,
    owes,
    received: {
      advertise: sent.has('advertise'),
      shares: sent.has('shares'),
      masked: sent.has('masked'),
      confirm: sent.has('confirm'),
      unmask: sent.has('unmask'),
    },
    dropped,
  };
}

const json = (reply: FastifyReply, bytes: Buffer) =>
  reply.type('application/json; charset=utf-8').send(bytes);

export async function secureViewRoutes(
  app: FastifyInstance,
  context: CoordinatorContext,
): Promise<void> {
  const { store, requireShop } = context;
  const api = app.withTypeProvider<ZodTypeProvider>();
  const tags = ['secure aggregation'];

  const roundOf = async (roundId: number) => {
    const round = await getRound(store, roundId);
    if (!round) throw new CoordinatorError(404, 'no-round', `There is no round ${roundId}.`);
    return round;
  };

  api.get('/v1/rounds/:roundId/secagg', {
    preHandler: requireShop,
    schema: {
      tags,
      summary: 'What this shop owes in the current secure-aggregation phase (small: poll it)',
      params: roundIdParams,
      response: { 200: secureRoundView, 404: errorBody, 409: errorBody },
    },
    handler: async (request) => {
      const round = await roundOf(request.params.roundId);
      const header = await loadHeader(store, round);
      if (header) return viewFor(context, round, header, request.shop!.id);
      if (settingsOf(round).mode !== 'secure')
        throw new CoordinatorError(
          409,
          'wrong-mode',
          `Round ${round.id} does not use secure aggregation.`,
        );
      // Still open (or failed before advertising began): nothing to do yet.
      return {
        roundId: round.id,
        phase: round.phase,
        phaseDeadline: round.phase_deadline,
        params: null,
        rosterHash: null,
        owes: null,
        received: nothingReceived,
        dropped: null,
      };
    },
  });

  /**
   * A phase's document for one shop: refused outside `phases`, and to a shop the round's current
   * phase does not include or that was dropped.
   */
  const document = (
    path: string,
    summary: string,
    schema: ZodType,
    phases: readonly RoundPhase[],
    answer: (
      round: RoundRow,
      header: SecureHeader,
      shopId: string,
      reply: FastifyReply,
    ) => Promise<unknown>,
  ) =>
    api.get(`/v1/rounds/:roundId/secagg/${path}`, {
      preHandler: requireShop,
      schema: {
        tags,
        summary,
        params: roundIdParams,
        response: { 200: schema, 403: errorBody, 404: errorBody, 409: errorBody },
      },
      handler: async (request, reply) => {
        const round = await roundOf(request.params.roundId);
        const header = await loadHeader(store, round);
        if (!header)
          throw new CoordinatorError(404, 'no-round', `There is no secure round ${round.id}.`);
        if (!phases.includes(round.phase as RoundPhase))
          throw new CoordinatorError(
            409,
            'wrong-phase',
            `Round ${round.id} is ${round.phase}, not ${phases.join(' or ')}.`,
            { phase: round.phase },
          );
        const me = request.shop!.id;
        const dropped = header.convicted[me] ?? header.excluded[me];
        const member =
          path === 'roster' ? membersOf(header).roster.has(me) : inPhase(header, round.phase, me);
        if (dropped || !member)
          throw new CoordinatorError(
            403,
            'not-taking-part',
            `${me} has no part in this phase of round ${round.id}${dropped ? ` (${dropped})` : ''}.`,
          );
        return answer(round, header, me, reply);
      },
    });

  const afterAdvertise: RoundPhase[] = ['share', 'collect', 'confirm', 'unmask'];
  document(
    'roster',
    'The signed roster of the round (fixed once advertising closed; ETag = the roster hash)',
    signedRoster,
    afterAdvertise,
    async (round, header, _me, reply) => {
      const data = await roundData(store, round.id, header);
      const etag = `"${header.rosterHash!}"`;
      reply.header('etag', etag).header('cache-control', 'private, max-age=86400, immutable');
      if (reply.request.headers['if-none-match'] === etag) return reply.code(304).send();
      return json(
        reply,
        documentOf(data, 'roster', () => ({
          rosterHash: header.rosterHash,
          roster: header.roster,
        })),
      );
    },
  );

  document(
    'share-keys',
    'Share: the share keys this shop encrypts to, with their Merkle paths',
    shareKeysToEncrypt,
    ['share'],
    async (round, header, me) => {
      const data = await roundData(store, round.id, header);
      return { shareKeys: shareKeysFor(data.graph, (id) => treeOf(data, id), me) };
    },
  );

  document(
    'inbox',
    'Collect: the share records addressed to this shop, and the shops dropped so far',
    shareInbox,
    ['collect'],
    async (round, header, me) => {
      const { graph } = await roundData(store, round.id, header);
      const records = await recordsTo(store, round.id, me);
      const { sharers } = membersOf(header);
      // In the order of this shop's neighbours, as the core's sharesFor gives them.
      const shares = graph
        .neighbours(me)
        .filter((v) => sharers.has(v) && records.has(v))
        .map((v) => JSON.parse(records.get(v)!) as ShareRecord);
      return { shares, dropped: droppedSoFar(header) };
    },
  );

  document(
    'survivors',
    'Confirm: the survivor set to sign (the consistency check)',
    confirmRequest,
    ['confirm'],
    async (round, header, _me, reply) =>
      json(
        reply,
        documentOf(await roundData(store, round.id, header), 'survivors', () => ({
          survivors: header.survivors,
        })),
      ),
  );

  document(
    'unmask-request',
    'Unmask: the survivor set with at least T survivors’ signatures over it',
    unmaskRequest,
    ['unmask'],
    async (round, header, _me, reply) =>
      json(
        reply,
        documentOf(await roundData(store, round.id, header), 'unmask', () =>
          unmaskRequestOf(header),
        ),
      ),
  );
}
