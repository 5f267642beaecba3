/**
 * The shops' side of an in-memory active-adversary round: what each shop does with the bodies the
 * coordinator sends it, as the app does — parse and validate them, load its state, take its step,
 * keep its state, serialise its message. The round driver (secagg-round.ts) talks to shops only
 * through bodies, so the same steps run in the driver's process (tests, with hooks for a lying
 * coordinator or a misbehaving shop) or in a process of their own (the benchmark).
 */
import type { z } from 'zod';
import { SecAggError } from '../federated/secagg/bytes.ts';
import { rosterOf, storedRoster, type StoredRoster } from '../electron/sync/secagg-store.ts';
import type { RoundConfig } from '../federated/secagg/round-config.ts';
import type {
  ClientState,
  ConfirmRequest,
  MaskedInputMessage,
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
import { maskedUploadBody } from '../federated/secagg/round-wire.ts';
import {
  advertiseKeys,
  maskedInput,
  shareKeys,
  type ShopIdentity,
} from '../federated/secagg/shop-round.ts';
import type { ShopRequirements } from '../federated/secagg/shop-checks.ts';
import { confirmSurvivors, unmaskResponse } from '../federated/secagg/shop-unmask.ts';

/** A shop's answer to what it was sent: its message's body, or the code it refused with. */
export type ShopReply<B = string> = { body: B } | { refused: string };

/** What the coordinator can ask of a shop, each with the bodies it sends it (JSON text). */
export type ShopSide = {
  advertise(id: string): Promise<ShopReply>;
  share(id: string, roster: string, keys: string): Promise<ShopReply>;
  /** The reply is the masked upload's binary body (round-wire.ts: maskedUploadBody). */
  collect(id: string, records: string, excluded: string): Promise<ShopReply<Uint8Array>>;
  confirm(id: string, request: string): Promise<ShopReply>;
  unmask(id: string, request: string): Promise<ShopReply>;
};

export type Phase = 'advertise' | 'share' | 'collect' | 'confirm' | 'unmask';

/** Charges work to the party whose meter it is, in a phase. */
export type Meter = <T>(phase: string, work: () => T | Promise<T>) => Promise<T>;

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

/** Where shops keep their state between steps. */
export type StateStore =
  | { kind: 'live'; states: Map<string, ClientState> }
  /**
   * As the app does (electron/sync/secagg-store.ts): JSON text, parsed and written by the shop
   * itself, on its meter; the verified roster in a row of its own, written once (what the later
   * steps read of it: every id and identity key, the lines of the shop and its neighbours), read
   * at every step.
   */
  | { kind: 'text'; texts: Map<string, string>; rosters: Map<string, string> };

export type LocalShops = {
  params: SecAggParams;
  identities: Map<string, ShopIdentity>;
  /** The encoded update of a shop, computed inside its upload step from its derived config. */
  inputOf: (shopId: string, config: RoundConfig) => Uint32Array;
  tamper?: Tamper;
  requirements?: ShopRequirements;
  meter: Meter;
  store: StateStore;
};

/** The shops' steps in this process. */
export function localShops(options: LocalShops): ShopSide {
  const { params, identities, inputOf, meter, store } = options;
  const tamper = options.tamper ?? {};
  const identity = (id: string) => identities.get(id)!;
  const load = (id: string): ClientState => {
    if (store.kind === 'live') return store.states.get(id)!;
    const state = JSON.parse(store.texts.get(id)!) as ClientState;
    const roster = store.rosters.get(id);
    if (roster === undefined) return state;
    return { ...state, roster: rosterOf(JSON.parse(roster) as StoredRoster) };
  };
  const keep = (id: string, state: ClientState) => {
    if (store.kind === 'live') return void store.states.set(id, state);
    const { roster, ...rest } = state;
    if (roster && !store.rosters.has(id))
      store.rosters.set(id, JSON.stringify(storedRoster(state, roster)));
    store.texts.set(id, JSON.stringify(rest));
  };
  const parse = <S extends z.ZodType>(id: string, phase: Phase, schema: S, body: string) =>
    meter(phase, () => schema.parse(JSON.parse(body)) as z.infer<S>);

  /** One step: the state persisted before the message leaves; a refusal takes the shop out. */
  async function step<M, B>(
    id: string,
    phase: Phase,
    work: () => { state: ClientState; message: M },
    encode: (message: M) => B,
  ): Promise<ShopReply<B>> {
    try {
      const done = await meter(phase, () => {
        const next = work();
        keep(id, next.state);
        return next;
      });
      tamper.onState?.(id, done.state);
      return { body: await meter(phase, () => encode(done.message)) };
    } catch (error) {
      if (!(error instanceof SecAggError)) throw error;
      return { refused: error.code };
    }
  }

  return {
    advertise: (id) =>
      step(id, 'advertise', () => advertiseKeys(identity(id), params), JSON.stringify),
    async share(id, rosterBody, keysBody) {
      const roster = await parse(id, 'share', wire.rosterEntry.array(), rosterBody);
      const keys = await parse(id, 'share', wire.shareKeyFor.array(), keysBody);
      return step(
        id,
        'share',
        () =>
          shareKeys(
            load(id),
            identity(id),
            tamper.roster?.(id, roster) ?? roster,
            tamper.shareKeys?.(id, keys) ?? keys,
            options.requirements,
          ),
        (m) => JSON.stringify(tamper.shareMessage?.(id, m) ?? m),
      );
    },
    async collect(id, recordsBody, excludedBody) {
      const records = await parse(id, 'collect', wire.shareRecord.array(), recordsBody);
      const excluded = await parse(id, 'collect', wire.shopIds, excludedBody);
      return step(
        id,
        'collect',
        () => {
          const state = load(id);
          return maskedInput(
            state,
            tamper.records?.(id, records) ?? records,
            excluded,
            inputOf(id, state.config!),
          );
        },
        (m) => maskedUploadBody(tamper.maskedInput?.(id, m) ?? m),
      );
    },
    async confirm(id, requestBody) {
      const request = await parse(id, 'confirm', wire.confirmRequest, requestBody);
      return step(
        id,
        'confirm',
        () =>
          confirmSurvivors(load(id), identity(id), tamper.confirmRequest?.(id, request) ?? request),
        JSON.stringify,
      );
    },
    async unmask(id, requestBody) {
      const request = await parse(id, 'unmask', wire.unmaskRequest, requestBody);
      return step(
        id,
        'unmask',
        () => unmaskResponse(load(id), tamper.unmaskRequest?.(id, request) ?? request),
        (m) => JSON.stringify(tamper.unmaskMessage?.(id, m) ?? m),
      );
    },
  };
}
