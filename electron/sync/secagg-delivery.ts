/**
 * Sending a persisted secure-round message. Its ledger line, and for the masked upload the
 * round's privacy charge, are written before each attempt leaves (the charge once per round),
 * so an upload whose answer is lost still counts, once; a retry is the same bytes, which the
 * coordinator acknowledges as a duplicate with its original receipt.
 */
import type { Logger } from 'pino';
import { maskedUploadBody } from '../../federated/secagg/round-wire.ts';
import { secureAck, secureRoutes } from '../../federated/secagg/round-http.ts';
import type { MaskedInputMessage } from '../../federated/secagg/round-types.ts';
import { SyncError } from './errors.ts';
import type { CoordinatorHttp } from './http.ts';
import type { RequestMeta } from './ledger.ts';
import {
  saveRound,
  type Outgoing,
  type OutgoingKind,
  type PersistedRound,
} from './secagg-store.ts';
import type { Db } from '../store/database.ts';

export function outgoing(
  roundId: number,
  kind: OutgoingKind,
  message: unknown,
  details: RequestMeta['details'] = {},
): Outgoing {
  const meta: RequestMeta = { kind, roundId, details };
  if (kind === 'masked') {
    const body = maskedUploadBody(message as MaskedInputMessage);
    return {
      path: secureRoutes.masked(roundId),
      body: Buffer.from(body).toString('base64'),
      binary: true,
      kind,
      meta,
    };
  }
  return { path: secureRoutes[kind](roundId), body: JSON.stringify(message), kind, meta };
}

/** Sends the persisted message and clears it once acknowledged (or refused for good). */
export async function deliver(
  options: { db: Db; http: CoordinatorHttp; log?: Logger },
  roundId: number,
  persisted: PersistedRound,
): Promise<PersistedRound> {
  const { db, http } = options;
  const out = persisted.outgoing!;
  const body = out.binary ? new Uint8Array(Buffer.from(out.body, 'base64')) : out.body;
  try {
    await http.send('POST', out.path, body, secureAck, out.meta);
  } catch (error) {
    // The phase moved on without this message, or the coordinator refuses it for good: it can
    // never count, so stop resending it.
    if (
      error instanceof SyncError &&
      !error.retryable &&
      (error.status === 409 || error.status === 403 || error.status === 400)
    ) {
      options.log?.warn(
        { round: roundId, kind: out.kind, err: error },
        'secure-aggregation message refused',
      );
      const dropped = { ...persisted, outgoing: null };
      saveRound(db, roundId, dropped);
      return dropped;
    }
    throw error;
  }
  const done: PersistedRound = { ...persisted, outgoing: null };
  saveRound(db, roundId, done);
  return done;
}
