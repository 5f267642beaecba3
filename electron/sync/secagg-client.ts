/**
 * The shop's side of a secure round over HTTP (the active-adversary protocol of
 * federated/secagg/shop-round.ts and shop-unmask.ts). Shops poll: each call reads what the
 * coordinator asks in the current phase, does this shop's part once, persists its SecAgg state
 * and the message in the shop database, then sends. The shop trusts no number the coordinator
 * states: n, T, c and the graph come from the roster it verified signature by signature, and the
 * bakery's policy is checked against those before anything derived from its data leaves.
 */
import type { Logger } from 'pino';
import type { z } from 'zod';
import type { RoundSettings, RoundView } from '../../federated/protocol/index.ts';
import {
  encodeContribution,
  type EvaluationFigures,
} from '../../federated/privacy/contribution.ts';
import { roundPrivacy } from '../../federated/privacy/plan.ts';
import { cryptoRandom, type RandomSource } from '../../federated/privacy/random.ts';
import { SecAggError } from '../../federated/secagg/bytes.ts';
import { KeyRing, ed25519RawFromPkcs8, withKeyRing } from '../../federated/secagg/primitives.ts';
import type { RoundConfig } from '../../federated/secagg/round-config.ts';
import {
  SECURE_MODULUS_BITS,
  contributionPlanOf,
  secureRoundView,
  secureRoutes,
  secureVectorLength,
  shareInbox,
  shareKeysToEncrypt,
  signedRoster,
  type SecureRoundView,
  type ShareInbox,
} from '../../federated/secagg/round-http.ts';
import { confirmRequest, unmaskRequest } from '../../federated/secagg/round-wire.ts';
import type { ClientState } from '../../federated/secagg/round-types.ts';
import {
  advertiseKeys,
  maskedInput,
  type GraphOf,
  shareKeys,
  type ShopIdentity,
} from '../../federated/secagg/shop-round.ts';
import type { SignatureCheck } from '../../federated/secagg/shop-checks.ts';
import { confirmSurvivors, unmaskResponse } from '../../federated/secagg/shop-unmask.ts';
import { roundKey } from '../privacy/budget.ts';
import { admitByRoster, admitBySettings, type Refusal } from '../privacy/refusals.ts';
import type { Db } from '../store/database.ts';
import { deliver, outgoing } from './secagg-delivery.ts';
import {
  deleteRound,
  loadRound,
  saveRound,
  withRoster,
  type PersistedRound,
} from './secagg-store.ts';
import type { CoordinatorHttp } from './http.ts';

export { forgetFinishedSecureRounds } from './secagg-store.ts';

export type LocalUpdate = {
  delta: Float32Array;
  sampleCount: number;
  /** The round's global model measured on this bakery's recent days; null: nothing to measure. */
  metrics?: EvaluationFigures | null;
};

export type SecureRoundOptions = {
  db: Db;
  http: CoordinatorHttp;
  /** The shop's enrolled identity: id and Ed25519 private key (base64 PKCS#8, from the sync state). */
  identity: { shopId: string; privateKey: string };
  now: () => Date;
  /** Trains from the round's global model and returns local − global (unclipped). */
  computeUpdate: (round: RoundView) => Promise<LocalUpdate>;
  random?: RandomSource;
  log?: Logger;
  /**
   * How the roster's and the unmask request's signatures are checked (default: each one, here).
   * Only the load harness passes another (simulation/load/shared-checks.ts).
   */
  verify?: SignatureCheck;
  /** How the round's graph is built (default: here, from the roster). Only the load harness passes another. */
  graphOf?: GraphOf;
};

export type SecureStep = {
  roundId: number;
  phase: string;
  action:
    | 'advertised'
    | 'shared'
    | 'uploaded'
    | 'confirmed'
    | 'unmasked'
    | 'waiting'
    | 'not-taking-part'
    | 'refused'
    | 'finished';
  message: string;
};

const actions = {
  advertise: 'advertised',
  shares: 'shared',
  masked: 'uploaded',
  confirm: 'confirmed',
  unmask: 'unmasked',
} as const;

type Next = { persisted: PersistedRound } | { refusal: SecureStep } | null;

/**
 * The keys this shop imported for a round, kept while the process lives: its later steps verify
 * and agree with the keys its earlier steps imported (the roster's identities, its neighbours'
 * mask keys, its own secrets). A restart imports them again. Per shop and round, never shared.
 */
const rings = new Map<string, KeyRing>();

function keyRingOf(shopId: string, baseUrl: string, roundId: number): KeyRing {
  const id = JSON.stringify([shopId, baseUrl, roundId]);
  let keys = rings.get(id);
  if (!keys) {
    // A few rounds at most run at once; the oldest ring goes first.
    if (rings.size >= 8) rings.delete(rings.keys().next().value!);
    keys = new KeyRing();
    rings.set(id, keys);
  }
  return keys;
}

/**
 * One step of this shop's part in a secure round. Call it on every sync while the round runs.
 * Safe to retry at any point: an unacknowledged message is resent byte-identical after a crash
 * or a lost answer, and no request — a retry, a replay, a crafted one — obtains a second answer.
 */
export async function stepSecureRound(
  options: SecureRoundOptions,
  round: RoundView,
): Promise<SecureStep> {
  const { db, http } = options;
  const step = (action: SecureStep['action'], phase: string, message: string): SecureStep => ({
    roundId: round.id,
    phase,
    action,
    message,
  });
  // A poll needs the phase and any unsent message; the roster is read when a step uses it.
  let persisted = loadRound(db, round.id, { roster: false });
  if (persisted?.refused)
    return step('refused', round.phase, refusedWords(round.id, persisted.refused.message));
  // The bakery's policy, until its update has left: after that, withholding the remaining
  // answers would only fail the round for the others.
  const updateSent =
    persisted !== null && !['advertised', 'shared'].includes(persisted.client.phase);
  const policyRefused = () =>
    step(
      'refused',
      round.phase,
      `Round ${round.id} was skipped under this bakery's privacy policy; nothing derived from its data was sent.`,
    );
  if (!updateSent && admitBySettings(db, options.now(), http.baseUrl, round))
    return policyRefused();
  if (persisted?.outgoing) persisted = await deliver(options, round.id, persisted);

  const view: SecureRoundView = (
    await http.send('GET', secureRoutes.view(round.id), null, secureRoundView, {
      kind: 'round-status',
      roundId: round.id,
    })
  ).body!;
  if (view.phase === 'published' || view.phase === 'failed') {
    deleteRound(db, round.id);
    rings.delete(JSON.stringify([options.identity.shopId, http.baseUrl, round.id]));
    return step('finished', view.phase, `Round ${round.id} is ${view.phase}.`);
  }
  if (view.dropped && persisted) {
    saveRound(db, round.id, { ...persisted, outgoing: null });
    return step(
      'not-taking-part',
      view.phase,
      `The coordinator took this bakery out of round ${round.id} (${view.dropped}).`,
    );
  }
  if (!view.params)
    return step('waiting', view.phase, 'The round has not started secure aggregation yet.');

  let next: Next;
  try {
    next = await nextMessage(options, round, view, persisted, policyRefused);
  } catch (error) {
    if (!(error instanceof SecAggError)) throw error;
    // The coordinator (or a peer it relayed) broke the protocol: stop, keep the secrets, say why.
    const refused = { code: error.code, message: error.message };
    if (persisted) saveRound(db, round.id, { ...persisted, outgoing: null, refused });
    options.log?.warn({ round: round.id, code: error.code }, 'secure round refused');
    return step('refused', view.phase, refusedWords(round.id, error.message));
  }
  if (next && 'refusal' in next) return next.refusal;
  if (!next) {
    const taking = persisted !== null;
    return step(
      taking ? 'waiting' : 'not-taking-part',
      view.phase,
      taking
        ? `Waiting for the other bakeries in round ${round.id} (${view.phase}).`
        : `Round ${round.id} started without this bakery; it will take part in the next one.`,
    );
  }
  // Persist first: a crash from here on resends exactly this message, never a second, different one.
  saveRound(db, round.id, next.persisted);
  const kind = next.persisted.outgoing!.kind;
  await deliver(options, round.id, next.persisted);
  return step(actions[kind], view.phase, `Round ${round.id}: sent this bakery's ${kind} message.`);
}

function refusedWords(roundId: number, why: string): string {
  return `This bakery stopped taking part in round ${roundId}: the coordinator did not follow the secure protocol (${why}). Nothing more is sent for it.`;
}

/** This shop's message for the current phase, with the state to persist before sending it. */
async function nextMessage(
  options: SecureRoundOptions,
  round: RoundView,
  view: SecureRoundView,
  persisted: PersistedRound | null,
  policyRefused: () => SecureStep,
): Promise<Next> {
  const { db, http } = options;
  const identity: ShopIdentity = {
    shopId: options.identity.shopId,
    secretKey: ed25519RawFromPkcs8(options.identity.privateKey),
  };
  const params = view.params!;
  const client = persisted?.client;
  const keys = keyRingOf(identity.shopId, http.baseUrl, round.id);
  const with_ = (state: ClientState, out: PersistedRound['outgoing']): Next => ({
    persisted: { client: state, outgoing: out },
  });
  // The policy against n and T as this shop verified them from the signed roster.
  const rosterRefusal = (config: RoundConfig): Refusal | null =>
    admitByRoster(db, options.now(), http.baseUrl, round, {
      rosterSize: config.rosterSize,
      threshold: config.minSurvivors,
    });

  if (view.phase === 'advertise' && !client) {
    // The parameters are bound into every signature: they must be the round's own settings.
    if (
      params.modulusBits !== SECURE_MODULUS_BITS ||
      params.colluders !== round.settings.colluders ||
      params.graph !== round.settings.secaggGraph
    )
      throw new SecAggError('malformed', `the round's parameters do not match its settings`);
    const { state, message } = withKeyRing(keys, () => advertiseKeys(identity, params));
    return with_(state, outgoing(round.id, 'advertise', message));
  }
  // What a phase needs that grows with the round is fetched only when this shop owes its message.
  const owes = (kind: SecureRoundView['owes'], phase: string, state: ClientState['phase']) =>
    view.owes === kind && view.phase === phase && client?.phase === state;
  const read = async <S extends z.ZodType>(path: string, schema: S, document: string) =>
    (
      await http.send('GET', path, null, schema, {
        kind: 'round-status',
        roundId: round.id,
        details: { document },
      })
    ).body!;

  if (owes('shares', 'share', 'advertised') && view.rosterHash) {
    const signed = await read(secureRoutes.roster(round.id), signedRoster, 'roster');
    const { shareKeys: shareKeysToUse } = await read(
      secureRoutes.shareKeys(round.id),
      shareKeysToEncrypt,
      'share-keys',
    );
    // Verifies the roster line by line (once: n signatures) and derives n, T, c and the graph from
    // it; nothing leaves before the hash and the bakery's policy are checked below.
    const { state, message } = withKeyRing(keys, () =>
      shareKeys(
        client!,
        identity,
        signed.roster,
        shareKeysToUse,
        {},
        options.verify,
        options.graphOf,
      ),
    );
    // The hash names the graph every shop derives: a roster other than the one announced is a split.
    if (state.rosterHash !== view.rosterHash || state.rosterHash !== signed.rosterHash)
      throw new SecAggError('roster-forged', 'the roster does not match the hash announced for it');
    const config = state.config!;
    if (rosterRefusal(config)) return { refusal: policyRefused() };
    return with_(
      state,
      outgoing(round.id, 'shares', message, {
        shares: message.shares.length,
        ...configDetails(config),
      }),
    );
  }
  // The roster this shop verified, from its own row (steps after sharing use it).
  const verified = () => withRoster(db, round.id, persisted!).client;
  if (owes('masked', 'collect', 'shared')) {
    const config = client!.config!;
    if (rosterRefusal(config)) return { refusal: policyRefused() };
    const inbox = await read(secureRoutes.inbox(round.id), shareInbox, 'inbox');
    return with_(...(await maskedUpload(options, round, verified(), inbox, config, keys)));
  }
  if (owes('confirm', 'confirm', 'masked')) {
    const request = await read(secureRoutes.survivors(round.id), confirmRequest, 'survivors');
    if (!request.survivors.includes(client!.shopId)) return null;
    const mine = verified();
    const { state, message } = withKeyRing(keys, () => confirmSurvivors(mine, identity, request));
    return with_(
      state,
      outgoing(round.id, 'confirm', message, { survivors: request.survivors.length }),
    );
  }
  if (owes('unmask', 'unmask', 'confirmed')) {
    const request = await read(
      secureRoutes.unmaskRequest(round.id),
      unmaskRequest,
      'unmask-request',
    );
    const mine = verified();
    const { state, message } = withKeyRing(keys, () =>
      unmaskResponse(mine, request, options.verify),
    );
    return with_(
      state,
      outgoing(round.id, 'unmask', message, {
        survivors: request.survivors.length,
        dropped: client!.config!.rosterSize - request.survivors.length,
        confirmations: request.confirmations.length,
        selfMaskShares: Object.keys(message.selfMaskShares).length,
        maskKeyShares: Object.keys(message.maskKeyShares).length,
      }),
    );
  }
  return null;
}

function configDetails(config: RoundConfig) {
  return {
    rosterSize: config.rosterSize,
    threshold: config.minSurvivors,
    colluders: config.colluders,
    graph: config.graph,
    neighbours: config.neighbours,
    shamirThreshold: config.threshold,
  };
}

/**
 * The masked upload: trains, clips, weights by samples, adds the evaluation figures as masked
 * coordinates and this shop's share of the noise (sized so the honest survivors alone carry it
 * when c shops collude), masks, and reports any neighbour whose share was bad.
 */
async function maskedUpload(
  options: SecureRoundOptions,
  round: RoundView,
  client: ClientState,
  collect: ShareInbox,
  config: RoundConfig,
  keys: KeyRing,
): Promise<[ClientState, PersistedRound['outgoing']]> {
  const { http } = options;
  const settings: RoundSettings = round.settings;
  const update = await options.computeUpdate(round);
  const parameters = update.delta.length;
  if (secureVectorLength(parameters, settings) !== client.params.vectorLength)
    throw new SecAggError('malformed', 'the round’s vector length does not match the model');
  const plan = contributionPlanOf(settings, parameters, config, client.params.modulusBits);
  const cost = roundPrivacy(plan);
  const contribution = encodeContribution(
    plan,
    { update: update.delta, sampleCount: update.sampleCount, metrics: update.metrics ?? null },
    options.random ?? cryptoRandom,
  );
  const { state, message } = withKeyRing(keys, () =>
    maskedInput(client, collect.shares, collect.dropped, contribution.encoded),
  );
  const masked = outgoing(round.id, 'masked', message, {
    mode: 'secure',
    parameters,
    sampleCount: update.sampleCount,
    weight: contribution.weight,
    normBeforeClip: contribution.norm,
    clipNorm: settings.clipNorm,
    noiseMultiplier: settings.noiseMultiplier,
    noiseStd: contribution.noiseShareStd,
    metricsReported: Boolean(update.metrics),
    maskedWith: message.maskedWith.length,
    shareReports: message.reports.length,
    ...configDetails(config),
  });
  masked.meta.charge = {
    roundKey: roundKey(http.baseUrl, round),
    roundId: round.id,
    mode: 'secure',
    noiseMultiplier: settings.noiseMultiplier,
    clipNorm: settings.clipNorm,
    tau: cost.tau,
    dimension: cost.dimension,
  };
  return [state, masked];
}
