/**
 * Runs one active-adversary SecAgg round in memory: every shop's steps and the coordinator's pure
 * steps, each message through JSON and its wire schema exactly as over HTTP, the coordinator
 * keeping one record per shop message (as its store does). Hooks let a test play a lying
 * coordinator (what shops are shown) or a misbehaving shop (what it sends), and `meter` lets the
 * benchmark charge each party its CPU time. The transcript keeps everything the coordinator saw.
 */
import type { z } from 'zod';
import { SecAggError } from '../federated/secagg/bytes.ts';
import {
  acceptAdvertisement,
  acceptMaskedInput,
  acceptShareKeys,
  applyConvictions,
  closeAdvertise,
  closeCollect,
  closeShare,
  createRound,
  droppedSoFar,
  excludeShop,
  roundGraphOf,
  shareKeysFor,
  sharesFor,
} from '../federated/secagg/coordinator-round.ts';
import {
  acceptConfirmation,
  acceptUnmask,
  closeConfirm,
  recoverSum,
  sumMasked,
  unmaskRequestOf,
} from '../federated/secagg/coordinator-unmask.ts';
import { MerkleTree } from '../federated/secagg/merkle.ts';
import type { RoundConfig } from '../federated/secagg/round-config.ts';
import type { RoundGraph } from '../federated/secagg/round-protocol.ts';
import type {
  AdvertisementMessage,
  ClientState,
  ConfirmRequest,
  Confirmation,
  MaskedInputMessage,
  MaskedUpload,
  RosterEntry,
  SecAggParams,
  ServerRound,
  ShareKeyFor,
  ShareKeysMessage,
  ShareRecord,
  UnmaskMessage,
  UnmaskRequest,
} from '../federated/secagg/round-types.ts';
import * as wire from '../federated/secagg/round-wire.ts';
import { maskedUploadBody, parseMaskedUpload } from '../federated/secagg/round-wire.ts';
import {
  advertiseKeys,
  maskedInput,
  shareKeys,
  type ShopIdentity,
} from '../federated/secagg/shop-round.ts';
import type { ShopRequirements } from '../federated/secagg/shop-checks.ts';
import { confirmSurvivors, unmaskResponse } from '../federated/secagg/shop-unmask.ts';

export type Drops = {
  beforeAdvertise?: string[];
  afterAdvertise?: string[];
  afterShare?: string[];
  afterUpload?: string[];
  afterConfirm?: string[];
};

/** What a lying coordinator shows each shop, and what a misbehaving shop sends instead. */
export type Tamper = {
  roster?: (to: string, roster: RosterEntry[]) => RosterEntry[];
  shareKeys?: (to: string, keys: ShareKeyFor[]) => ShareKeyFor[];
  records?: (to: string, records: ShareRecord[]) => ShareRecord[];
  confirmRequest?: (to: string, request: ConfirmRequest) => ConfirmRequest;
  unmaskRequest?: (to: string, request: UnmaskRequest) => UnmaskRequest;
  shareMessage?: (from: string, message: ShareKeysMessage) => ShareKeysMessage;
  maskedInput?: (from: string, message: MaskedInputMessage) => MaskedInputMessage;
  unmaskMessage?: (from: string, message: UnmaskMessage) => UnmaskMessage;
  /** Sees every shop state as soon as it is computed (a colluder keeps what it knows). */
  onState?: (id: string, state: ClientState) => void;
  /** Runs after uploads, before the upload phase closes (e.g. revoke a shop). */
  beforeCloseCollect?: (round: ServerRound) => ServerRound;
};

export type Transcript = {
  adverts: AdvertisementMessage[];
  shareMessages: Map<string, ShareKeysMessage>;
  uploads: Map<string, MaskedUpload>;
  confirmations: Confirmation[];
  answers: UnmaskMessage[];
};

export type RoundRun = {
  round: ServerRound;
  sum: Uint32Array | null;
  /** Shops that refused a step, with the code they refused with. */
  refusals: Map<string, string>;
  /** Messages the coordinator refused, by sender. */
  rejected: Map<string, string>;
  /** Each shop's last state. */
  clients: Map<string, ClientState>;
  transcript: Transcript;
  wrongShares: number;
  traffic: Traffic;
};

export type Meter = <T>(
  party: string | null,
  phase: string,
  work: () => T | Promise<T>,
) => Promise<T>;

export type RoundOptions = {
  params: SecAggParams;
  shops: (ShopIdentity & { publicKey: string })[];
  /**
   * The encoded update of a shop (called once, inside that shop's upload step, so its encoding
   * and noise are charged to that step), given the configuration it derived from the roster.
   */
  inputOf: (shopId: string, config: RoundConfig) => Uint32Array;
  drops?: Drops;
  tamper?: Tamper;
  requirements?: ShopRequirements;
  /** Charges work to a shop (its id) or the coordinator (null). */
  meter?: Meter;
  /**
   * Keep each shop's state as the app does, as JSON text between steps (parsed and written by the
   * shop, on its meter), instead of as live objects. The benchmark sets it: 500 live states make a
   * heap of millions of objects whose garbage collection was charged to whichever shop was running,
   * a cost no shop's own process has. `clients` is filled from the texts when the round ends.
   */
  persistStates?: boolean;
};

/** Bytes each shop sent and received (JSON bodies), for the benchmark. */
export type Traffic = Map<string, { sent: number; received: number }>;

export async function runActiveRound(options: RoundOptions): Promise<RoundRun> {
  const persisted = new Map<string, string>();
  const run = await playRound(options, persisted);
  for (const [id, text] of persisted) run.clients.set(id, JSON.parse(text) as ClientState);
  return run;
}

async function playRound(options: RoundOptions, persisted: Map<string, string>): Promise<RoundRun> {
  const { params, shops } = options;
  const tamper = options.tamper ?? {};
  const charge: Meter = options.meter ?? (async (_party, _phase, work) => work());
  let phase = 'advertise';
  const meter = <T>(party: string | null, work: () => T | Promise<T>) => charge(party, phase, work);
  const drops = options.drops ?? {};
  const gone = new Set(drops.beforeAdvertise ?? []);
  const dropNow = (ids?: string[]) => (ids ?? []).forEach((id) => gone.add(id));
  const identity = new Map(shops.map((s) => [s.shopId, s]));
  const traffic: Traffic = new Map(shops.map((s) => [s.shopId, { sent: 0, received: 0 }]));
  const run: RoundRun = {
    round: createRound(params, Object.fromEntries(shops.map((s) => [s.shopId, s.publicKey]))),
    sum: null,
    refusals: new Map(),
    rejected: new Map(),
    clients: new Map(),
    transcript: {
      adverts: [],
      shareMessages: new Map(),
      uploads: new Map(),
      confirmations: [],
      answers: [],
    },
    wrongShares: 0,
    traffic,
  };
  const { clients, transcript } = run;
  const present = () => shops.map((s) => s.shopId).filter((id) => !gone.has(id));

  /**
   * A shop's state between its steps. With `persistStates` it exists only as the JSON text the app
   * writes to its database before each message leaves, read back at the next step, both charged to
   * the shop as the app pays them; otherwise (tests) as the live object.
   */
  const load = (id: string): ClientState =>
    options.persistStates ? (JSON.parse(persisted.get(id)!) as ClientState) : clients.get(id)!;
  const keep = (id: string, state: ClientState) => {
    if (options.persistStates) persisted.set(id, JSON.stringify(state));
    else clients.set(id, state);
  };

  /** A shop's step (it loads its state itself); a refusal (SecAggError) takes it out of the round. */
  const shopStep = async <T extends { state: ClientState }>(
    id: string,
    work: () => T,
  ): Promise<T | null> => {
    try {
      const step = await meter(id, () => {
        const done = work();
        keep(id, done.state);
        return done;
      });
      tamper.onState?.(id, step.state);
      return step;
    } catch (error) {
      if (!(error instanceof SecAggError)) throw error;
      run.refusals.set(id, error.code);
      gone.add(id);
      return null;
    }
  };
  /**
   * The coordinator serialises a view; the shop parses and validates it (each on its own meter).
   * A view that is the same for every shop (the roster, the survivor set, the unmask request) is
   * serialised once, as the coordinator's HTTP layer caches it.
   */
  const shared = new WeakMap<object, string>();
  const show = async <S extends z.ZodType>(
    id: string,
    schema: S,
    value: unknown,
    sameForAll = false,
  ): Promise<z.infer<S>> => {
    let body = sameForAll ? shared.get(value as object) : undefined;
    if (body === undefined) {
      const text = await meter(null, () => JSON.stringify(value));
      if (sameForAll) shared.set(value as object, text);
      body = text;
    }
    traffic.get(id)!.received += body.length;
    return meter(id, () => schema.parse(JSON.parse(body)) as z.infer<S>);
  };
  /** A shop serialises its message; the coordinator parses, validates and applies it. */
  const deliver = async <S extends z.ZodType, T>(
    id: string,
    schema: S,
    message: unknown,
    apply: (parsed: z.infer<S>) => T,
  ): Promise<T | null> => {
    const body = await meter(id, () => JSON.stringify(message));
    traffic.get(id)!.sent += body.length;
    try {
      return await meter(null, () => apply(schema.parse(JSON.parse(body)) as z.infer<S>));
    } catch (error) {
      if (!(error instanceof SecAggError)) throw error;
      run.rejected.set(id, error.code);
      return null;
    }
  };

  // Advertise.
  const adverts = new Map<string, AdvertisementMessage>();
  for (const id of present()) {
    const step = await shopStep(id, () => advertiseKeys(identity.get(id)!, params));
    if (!step) continue;
    const clean = await deliver(id, wire.advertisementMessage, step.message, (ad) =>
      acceptAdvertisement(run.round, ad),
    );
    if (clean) adverts.set(id, clean);
  }
  transcript.adverts = [...adverts.values()];
  run.round = await meter(null, () => closeAdvertise(run.round, [...adverts.values()]));
  if (run.round.phase === 'failed') return run;
  const graph: RoundGraph = await meter(null, () => roundGraphOf(run.round));
  const trees = new Map<string, { keys: string[]; tree: MerkleTree }>();
  const treeOf = (id: string) => {
    let found = trees.get(id);
    if (!found) {
      const keys = adverts.get(id)!.shareKeys;
      found = { keys, tree: new MerkleTree(keys) };
      trees.set(id, found);
    }
    return found;
  };
  dropNow(drops.afterAdvertise);

  // Share keys.
  phase = 'share';
  const shareMessages = transcript.shareMessages;
  for (const id of present().filter((i) => graph.has(i))) {
    const roster = await show(id, wire.rosterEntry.array(), run.round.roster!, true);
    const keys = await show(
      id,
      wire.shareKeyFor.array(),
      await meter(null, () => shareKeysFor(graph, treeOf, id)),
    );
    const step = await shopStep(id, () =>
      shareKeys(
        load(id),
        identity.get(id)!,
        tamper.roster?.(id, roster) ?? roster,
        tamper.shareKeys?.(id, keys) ?? keys,
        options.requirements,
      ),
    );
    if (!step) continue;
    const sent = tamper.shareMessage?.(id, step.message) ?? step.message;
    const stored = await deliver(id, wire.shareKeysMessage, sent, (m) =>
      acceptShareKeys(run.round, graph, m),
    );
    if (stored) shareMessages.set(id, stored);
  }
  run.round = await meter(null, () => closeShare(run.round, [...shareMessages.keys()]));
  if (run.round.phase === 'failed') return run;
  dropNow(drops.afterShare);

  // Masked inputs and share reports.
  phase = 'collect';
  const vectors = new Map<string, Uint32Array>();
  const maskedWith = new Map<string, string[]>();
  const context = {
    messageOf: (id: string) => shareMessages.get(id),
    advertOf: (id: string) => adverts.get(id),
  };
  for (const id of present().filter((i) => run.round.sharers!.includes(i))) {
    const routed = await meter(null, () => sharesFor(run.round, graph, context.messageOf, id));
    const records = await show(id, wire.shareRecord.array(), routed);
    const excluded = await show(id, wire.shopIds, droppedSoFar(run.round));
    const step = await shopStep(id, () => {
      const state = load(id);
      return maskedInput(
        state,
        tamper.records?.(id, records) ?? records,
        excluded,
        options.inputOf(id, state.config!),
      );
    });
    if (!step) continue;
    const sent = tamper.maskedInput?.(id, step.message) ?? step.message;
    const body = await meter(id, () => maskedUploadBody(sent));
    traffic.get(id)!.sent += body.length;
    let parsed: MaskedUpload | null = null;
    const upload = await meter(null, () => {
      try {
        parsed = parseMaskedUpload(body, params.vectorLength);
        return acceptMaskedInput(run.round, graph, parsed, context);
      } catch (error) {
        if (!(error instanceof SecAggError)) throw error;
        run.rejected.set(id, error.code);
        return null;
      }
    });
    if (!upload || !parsed) continue;
    transcript.uploads.set(id, parsed);
    run.round = applyConvictions(run.round, upload.convictions);
    vectors.set(id, upload.masked);
    maskedWith.set(id, upload.maskedWith);
  }
  if (tamper.beforeCloseCollect) run.round = tamper.beforeCloseCollect(run.round);
  const uploads = [...maskedWith.entries()].map(([shopId, m]) => ({ shopId, maskedWith: m }));
  run.round = await meter(null, () => closeCollect(run.round, graph, uploads));
  if (run.round.phase === 'failed') return run;
  dropNow(drops.afterUpload);

  // Consistency check.
  phase = 'confirm';
  const confirmations: Confirmation[] = [];
  const confirmView = { survivors: run.round.survivors! };
  for (const id of present().filter((i) => run.round.survivors!.includes(i))) {
    const request = await show(id, wire.confirmRequest, confirmView, true);
    const step = await shopStep(id, () =>
      confirmSurvivors(
        load(id),
        identity.get(id)!,
        tamper.confirmRequest?.(id, request) ?? request,
      ),
    );
    if (!step) continue;
    transcript.confirmations.push(step.message);
    const ok = await deliver(id, wire.confirmation, step.message, (c) =>
      acceptConfirmation(run.round, c),
    );
    if (ok) confirmations.push(ok);
  }
  run.round = await meter(null, () => closeConfirm(run.round, confirmations));
  if (run.round.phase === 'failed') return run;
  dropNow(drops.afterConfirm);

  // Unmasking.
  phase = 'unmask';
  const answers: UnmaskMessage[] = [];
  const signed = new Set(run.round.confirmations!.map((c) => c.shopId));
  const unmaskView = unmaskRequestOf(run.round);
  for (const id of present().filter((i) => signed.has(i))) {
    const request = await show(id, wire.unmaskRequest, unmaskView, true);
    const step = await shopStep(id, () =>
      unmaskResponse(load(id), tamper.unmaskRequest?.(id, request) ?? request),
    );
    if (!step) continue;
    const sent = tamper.unmaskMessage?.(id, step.message) ?? step.message;
    transcript.answers.push(sent);
    const ok = await deliver(id, wire.unmaskMessage, sent, (m) =>
      acceptUnmask(run.round, graph, maskedWith.get(id)!, m),
    );
    if (ok) answers.push(ok);
  }
  phase = 'recover';
  const recovered = await meter(null, () =>
    recoverSum(run.round, graph, {
      maskedSum: sumMasked(run.round, (id) => vectors.get(id)!),
      messageOf: context.messageOf,
      maskedWithOf: (id) => maskedWith.get(id)!,
      answers,
    }),
  );
  run.round = recovered.round;
  run.sum = recovered.sum;
  run.wrongShares = recovered.wrongShares;
  return run;
}

/** Drops a shop (as a revocation would) just before the upload phase closes. */
export function revokeBeforeClose(shopId: string): Tamper['beforeCloseCollect'] {
  return (round) => excludeShop(round, shopId, 'revoked').round;
}
