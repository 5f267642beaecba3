/**
 * Runs one active-adversary SecAgg round in memory: every shop's steps and the coordinator's pure
 * steps, each message through JSON and its wire schema exactly as over HTTP, the coordinator
 * keeping one record per shop message (as its store does). Hooks let a test play a lying
 * coordinator (what shops are shown) or a misbehaving shop (what it sends), and `meter` lets the
 * benchmark charge each party its CPU time. The transcript keeps everything the coordinator saw.
 */
import type { z } from 'zod';
import { SecAggError } from '../federated/secagg/bytes.ts';
import { rosterOf, type StoredRoster } from '../electron/sync/secagg-store.ts';
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
  Confirmation,
  MaskedUpload,
  SecAggParams,
  ServerRound,
  ShareKeysMessage,
  UnmaskMessage,
} from '../federated/secagg/round-types.ts';
import * as wire from '../federated/secagg/round-wire.ts';
import { parseMaskedUpload } from '../federated/secagg/round-wire.ts';
import type { ShopIdentity } from '../federated/secagg/shop-round.ts';
import type { ShopRequirements } from '../federated/secagg/shop-checks.ts';
import {
  localShops,
  type Meter,
  type ShopReply,
  type ShopSide,
  type Tamper,
} from './secagg-shop-side.ts';

export type { Meter, ShopSide, Tamper } from './secagg-shop-side.ts';

export type Drops = {
  beforeAdvertise?: string[];
  afterAdvertise?: string[];
  afterShare?: string[];
  afterUpload?: string[];
  afterConfirm?: string[];
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

/** The shops' steps in the driver's process (tests), with hooks for lying and misbehaving. */
type LocalOptions = {
  /**
   * The encoded update of a shop (called once, inside that shop's upload step, so its encoding
   * and noise are charged to that step), given the configuration it derived from the roster.
   */
  inputOf: (shopId: string, config: RoundConfig) => Uint32Array;
  tamper?: Tamper;
  requirements?: ShopRequirements;
  /**
   * Keep each shop's state as the app does, as JSON text between steps (parsed and written by the
   * shop, on its meter), instead of as live objects. `clients` is filled from the texts when the
   * round ends.
   */
  persistStates?: boolean;
};

export type RoundOptions = {
  params: SecAggParams;
  shops: (ShopIdentity & { publicKey: string })[];
  drops?: Drops;
  /** Charges the coordinator's work; with `LocalOptions`, the shops' steps too. */
  meter?: Meter;
} & (
  | LocalOptions
  /** The shops' steps somewhere else (the benchmark's shop process); `clients` stays empty. */
  | { shopSide: ShopSide; tamper?: undefined }
);

/** Bytes each shop sent and received (JSON bodies), for the benchmark. */
export type Traffic = Map<string, { sent: number; received: number }>;

const passThrough: Meter = async (_phase, work) => work();

export async function runActiveRound(options: RoundOptions): Promise<RoundRun> {
  const clients = new Map<string, ClientState>();
  if ('shopSide' in options) return playRound(options, options.shopSide, clients);
  const texts = new Map<string, string>();
  const rosters = new Map<string, string>();
  const side = localShops({
    params: options.params,
    identities: new Map(options.shops.map((s) => [s.shopId, s])),
    inputOf: options.inputOf,
    tamper: options.tamper,
    requirements: options.requirements,
    meter: options.meter ?? passThrough,
    store: options.persistStates
      ? { kind: 'text', texts, rosters }
      : { kind: 'live', states: clients },
  });
  const run = await playRound(options, side, clients);
  for (const [id, text] of texts) {
    const roster = rosters.get(id);
    const state = JSON.parse(text) as ClientState;
    run.clients.set(
      id,
      roster ? { ...state, roster: rosterOf(JSON.parse(roster) as StoredRoster) } : state,
    );
  }
  return run;
}

async function playRound(
  options: RoundOptions,
  side: ShopSide,
  clients: Map<string, ClientState>,
): Promise<RoundRun> {
  const { params, shops } = options;
  const tamper = options.tamper ?? {};
  const charge: Meter = options.meter ?? passThrough;
  let phase = 'advertise';
  const meter = <T>(work: () => T | Promise<T>) => charge(phase, work);
  const drops = options.drops ?? {};
  const gone = new Set(drops.beforeAdvertise ?? []);
  const dropNow = (ids?: string[]) => (ids ?? []).forEach((id) => gone.add(id));
  const traffic: Traffic = new Map(shops.map((s) => [s.shopId, { sent: 0, received: 0 }]));
  const run: RoundRun = {
    round: createRound(params, Object.fromEntries(shops.map((s) => [s.shopId, s.publicKey]))),
    sum: null,
    refusals: new Map(),
    rejected: new Map(),
    clients,
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
  const { transcript } = run;
  const present = () => shops.map((s) => s.shopId).filter((id) => !gone.has(id));

  /** The body of a shop's reply, or null when it refused (which takes it out of the round). */
  const replied = <B>(id: string, reply: ShopReply<B>): B | null => {
    if ('body' in reply) return reply.body;
    run.refusals.set(id, reply.refused);
    gone.add(id);
    return null;
  };
  /**
   * The coordinator serialises a view for a shop (on its meter). A view that is the same for every
   * shop (the roster, the survivor set, the unmask request) is serialised once, as the
   * coordinator's HTTP layer caches it.
   */
  const shared = new WeakMap<object, string>();
  const view = async (id: string, value: unknown, sameForAll = false): Promise<string> => {
    let body = sameForAll ? shared.get(value as object) : undefined;
    if (body === undefined) {
      const text = await meter(() => JSON.stringify(value));
      if (sameForAll) shared.set(value as object, text);
      body = text;
    }
    traffic.get(id)!.received += body.length;
    return body;
  };
  /** The coordinator parses, validates and applies a shop's message body. */
  const deliver = async <S extends z.ZodType, T>(
    id: string,
    schema: S,
    body: string,
    apply: (parsed: z.infer<S>) => T,
  ): Promise<T | null> => {
    traffic.get(id)!.sent += body.length;
    try {
      return await meter(() => apply(schema.parse(JSON.parse(body)) as z.infer<S>));
    } catch (error) {
      if (!(error instanceof SecAggError)) throw error;
      run.rejected.set(id, error.code);
      return null;
    }
  };

  // Advertise.
  const adverts = new Map<string, AdvertisementMessage>();
  for (const id of present()) {
    const body = replied(id, await side.advertise(id));
    if (body === null) continue;
    const clean = await deliver(id, wire.advertisementMessage, body, (ad) =>
      acceptAdvertisement(run.round, ad),
    );
    if (clean) adverts.set(id, clean);
  }
  transcript.adverts = [...adverts.values()];
  run.round = await meter(() => closeAdvertise(run.round, [...adverts.values()]));
  if (run.round.phase === 'failed') return run;
  const graph: RoundGraph = await meter(() => roundGraphOf(run.round));
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
    const roster = await view(id, run.round.roster!, true);
    const keys = await view(id, await meter(() => shareKeysFor(graph, treeOf, id)));
    const body = replied(id, await side.share(id, roster, keys));
    if (body === null) continue;
    const stored = await deliver(id, wire.shareKeysMessage, body, (m) =>
      acceptShareKeys(run.round, graph, m),
    );
    if (stored) shareMessages.set(id, stored);
  }
  run.round = await meter(() => closeShare(run.round, [...shareMessages.keys()]));
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
    const routed = await meter(() => sharesFor(run.round, graph, context.messageOf, id));
    const records = await view(id, routed);
    const excluded = await view(id, droppedSoFar(run.round));
    const body = replied(id, await side.collect(id, records, excluded));
    if (body === null) continue;
    traffic.get(id)!.sent += body.length;
    let parsed: MaskedUpload | null = null;
    const upload = await meter(() => {
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
  run.round = await meter(() => closeCollect(run.round, graph, uploads));
  if (run.round.phase === 'failed') return run;
  dropNow(drops.afterUpload);

  // Consistency check.
  phase = 'confirm';
  const confirmations: Confirmation[] = [];
  const confirmView = { survivors: run.round.survivors! };
  for (const id of present().filter((i) => run.round.survivors!.includes(i))) {
    const body = replied(id, await side.confirm(id, await view(id, confirmView, true)));
    if (body === null) continue;
    const ok = await deliver(id, wire.confirmation, body, (c) => {
      transcript.confirmations.push(c);
      return acceptConfirmation(run.round, c);
    });
    if (ok) confirmations.push(ok);
  }
  run.round = await meter(() => closeConfirm(run.round, confirmations));
  if (run.round.phase === 'failed') return run;
  dropNow(drops.afterConfirm);

  // Unmasking.
  phase = 'unmask';
  const answers: UnmaskMessage[] = [];
  const signed = new Set(run.round.confirmations!.map((c) => c.shopId));
  const unmaskView = unmaskRequestOf(run.round);
  for (const id of present().filter((i) => signed.has(i))) {
    const body = replied(id, await side.unmask(id, await view(id, unmaskView, true)));
    if (body === null) continue;
    const ok = await deliver(id, wire.unmaskMessage, body, (m) => {
      transcript.answers.push(m);
      return acceptUnmask(run.round, graph, maskedWith.get(id)!, m);
    });
    if (ok) answers.push(ok);
  }
  phase = 'recover';
  const recovered = await meter(() =>
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
