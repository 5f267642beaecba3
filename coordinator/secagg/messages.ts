/**
 * Receiving a shop's secure-round message: a retry of a message already held answers with its
 * first receipt (in any phase), a different second message is refused, and a new one is checked
 * by the core against the round header — outside any transaction, since signatures and reports
 * take CPU — then stored, one row, after the phase and the shop's standing are checked again
 * under the round's row lock.
 */
import {
  acceptAdvertisement,
  acceptMaskedInput,
  acceptShareKeys,
  applyConvictions,
} from '../../federated/secagg/coordinator-round.ts';
import { acceptConfirmation, acceptUnmask } from '../../federated/secagg/coordinator-unmask.ts';
import type { SecureAck, SecureMessageKind } from '../../federated/secagg/round-http.ts';
import type {
  AdvertisementMessage,
  Confirmation,
  MaskedUpload,
  ShareKeysMessage,
  UnmaskMessage,
} from '../../federated/secagg/round-types.ts';
import { utf8 } from '../../federated/secagg/bytes.ts';
import type { RoundPhase } from '../../federated/protocol/index.ts';
import { CoordinatorError } from '../errors.ts';
import { audit } from '../store/database.ts';
import { checkIn, getRound, markDropped, markUploaded, type RoundRow } from '../store/rounds.ts';
import {
  digestOf,
  insertMessage,
  insertShareRecords,
  messageReceipt,
  metaOf,
} from '../store/secagg.ts';
import type { CoordinatorStore, Tx } from '../store/sql.ts';
import { roundData, shareMessages } from './round-data.ts';
import { asCoordinatorError, loadHeader, saveHeader, type SecureHeader } from './state.ts';

export const phaseOfKind: Record<SecureMessageKind, RoundPhase> = {
  advertise: 'advertise',
  shares: 'share',
  masked: 'collect',
  confirm: 'confirm',
  unmask: 'unmask',
};

export type ReceiveContext = { store: CoordinatorStore; now: () => Date };

/** What a checked message stores: its row, and what else changes with it. */
type Checked = {
  body: Uint8Array;
  meta?: unknown;
  /** Runs in the storing transaction; returns a changed header to save, if any. */
  also?: (tx: Tx, header: SecureHeader, at: string) => Promise<SecureHeader | void>;
};

const wrongPhase = (round: RoundRow, phase: RoundPhase) =>
  new CoordinatorError(409, 'wrong-phase', `Round ${round.id} is ${round.phase}, not ${phase}.`, {
    phase: round.phase,
  });

const notRunning = (round: RoundRow) =>
  new CoordinatorError(409, 'wrong-mode', `Round ${round.id} does not use secure aggregation.`);

/** Receives one message; `check` validates it against the header and says what to store. */
export async function receive(
  ctx: ReceiveContext,
  request: { roundId: number; shopId: string; kind: SecureMessageKind; digestOver: Uint8Array },
  check: (header: SecureHeader) => Promise<Checked> | Checked,
): Promise<SecureAck & { stored: boolean }> {
  const { roundId, shopId, kind } = request;
  const phase = phaseOfKind[kind];
  const digest = digestOf(request.digestOver);
  const replay = (receipt: { digest: string; received_at: string }) => {
    if (receipt.digest !== digest)
      throw new CoordinatorError(
        409,
        'already-sent',
        `Secure aggregation refused: ${shopId} already sent a different ${kind} message in round ${roundId}.`,
      );
    return { roundId, accepted: true as const, duplicate: true, receivedAt: receipt.received_at };
  };
  const earlier = await messageReceipt(ctx.store, roundId, kind, shopId);
  if (earlier) return { ...replay(earlier), stored: false };
  const round = await getRound(ctx.store, roundId);
  if (!round) throw new CoordinatorError(404, 'no-round', `There is no round ${roundId}.`);
  if (round.phase !== phase) throw wrongPhase(round, phase);
  const header = await loadHeader(ctx.store, round);
  if (!header) throw notRunning(round);
  let checked: Checked;
  try {
    checked = await check(header);
  } catch (error) {
    throw asCoordinatorError(error);
  }
  const receivedAt = ctx.now().toISOString();
  return ctx.store.transaction(async (tx) => {
    const held = await messageReceipt(tx, roundId, kind, shopId);
    if (held) return { ...replay(held), stored: false };
    const fresh = (await getRound(tx, roundId, checked.also ? 'update' : 'share'))!;
    if (fresh.phase !== phase) throw wrongPhase(fresh, phase);
    const current = (await loadHeader(tx, fresh))!;
    const dropped = current.convicted[shopId] ?? current.excluded[shopId];
    if (dropped)
      throw new CoordinatorError(
        403,
        'refused',
        `Secure aggregation refused: ${shopId} was dropped from this round (${dropped}).`,
      );
    await insertMessage(tx, roundId, kind, shopId, {
      digest,
      body: checked.body,
      meta: checked.meta,
      receivedAt,
    });
    const changed = await checked.also?.(tx, current, receivedAt);
    if (changed) await saveHeader(tx, roundId, changed);
    return { roundId, accepted: true as const, duplicate: false, receivedAt, stored: true };
  });
}

const json = (value: unknown) => utf8(JSON.stringify(value));

export function receiveAdvertisement(
  ctx: ReceiveContext,
  roundId: number,
  ad: AdvertisementMessage,
) {
  const body = json(ad);
  return receive(ctx, { roundId, shopId: ad.shopId, kind: 'advertise', digestOver: body }, (h) => {
    const clean = acceptAdvertisement(h, ad);
    return {
      body: json(clean),
      also: async (tx) => void (await checkIn(tx, roundId, ad.shopId, ctx.now())),
    };
  });
}

export function receiveShareKeys(ctx: ReceiveContext, roundId: number, message: ShareKeysMessage) {
  const body = json(message);
  return receive(
    ctx,
    { roundId, shopId: message.shopId, kind: 'shares', digestOver: body },
    async (h) => {
      const { graph } = await roundData(ctx.store, roundId, h);
      const { shares, ...head } = acceptShareKeys(h, graph, message);
      return {
        body: json(head),
        also: async (tx) =>
          void (await insertShareRecords(
            tx,
            roundId,
            message.shopId,
            shares.map((s) => ({ to: s.to, record: JSON.stringify(s) })),
          )),
      };
    },
  );
}

/** A masked upload with its share reports; a proven report drops the accused from the round. */
export function receiveMasked(
  ctx: ReceiveContext,
  roundId: number,
  upload: MaskedUpload,
  raw: Uint8Array,
) {
  return receive(
    ctx,
    { roundId, shopId: upload.shopId, kind: 'masked', digestOver: raw },
    async (h) => {
      const data = await roundData(ctx.store, roundId, h);
      const accused = upload.reports.map((r) => r.record.from);
      const accusedMessages = await shareMessages(ctx.store, roundId, data.graph, accused);
      const accepted = acceptMaskedInput(h, data.graph, upload, {
        messageOf: (id) => accusedMessages.get(id),
        advertOf: (id) => data.adverts.get(id),
      });
      return {
        body: raw,
        meta: { maskedWith: accepted.maskedWith },
        also: async (tx, current, at) => {
          await markUploaded(tx, roundId, upload.shopId, at);
          const convictions = Object.entries(accepted.convictions);
          if (!convictions.length) return;
          for (const [id, reason] of convictions) {
            await markDropped(tx, roundId, id, 'collect');
            await audit(
              tx,
              'system',
              'secagg.share-report',
              { round: roundId, reporter: upload.shopId, accused: id, reason },
              ctx.now(),
            );
          }
          return applyConvictions(current, accepted.convictions) as SecureHeader;
        },
      };
    },
  );
}

export function receiveConfirmation(ctx: ReceiveContext, roundId: number, c: Confirmation) {
  const body = json(c);
  return receive(ctx, { roundId, shopId: c.shopId, kind: 'confirm', digestOver: body }, (h) => ({
    body: json(acceptConfirmation(h, c)),
  }));
}

export function receiveUnmask(ctx: ReceiveContext, roundId: number, message: UnmaskMessage) {
  const body = json(message);
  return receive(
    ctx,
    { roundId, shopId: message.shopId, kind: 'unmask', digestOver: body },
    async (h) => {
      const { graph } = await roundData(ctx.store, roundId, h);
      const [mine] = await metaOf(ctx.store, roundId, 'masked', message.shopId);
      const maskedWith = mine?.meta
        ? (JSON.parse(mine.meta) as { maskedWith: string[] }).maskedWith
        : [];
      return { body: json(acceptUnmask(h, graph, maskedWith, message)) };
    },
  );
}
