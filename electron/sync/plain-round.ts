/**
 * This bakery's part in a plain round: check in, train, clip, and queue the update in the outbox
 * (sent by the next flush, retried until acknowledged, charged with its first attempt).
 */
import { clipUpdate } from '../../federated/aggregation/index.ts';
import {
  checkinResponse,
  encodeFloat32,
  sha256Hex,
  type CurrentRoundResponse,
  type RoundView,
} from '../../federated/protocol/index.ts';
import { roundKey } from '../privacy/budget.ts';
import { admitBySettings } from '../privacy/refusals.ts';
import type { CoordinatorHttp } from './http.ts';
import { localUpdate, type TrainingContext } from './local-update.ts';
import { enqueue, hasPending } from './outbox.ts';

/** Queues this shop's update when the round collects plain updates and has none from us. */
export async function queuePlainUpdate(
  ctx: TrainingContext,
  http: CoordinatorHttp,
  current: CurrentRoundResponse,
): Promise<boolean> {
  const round: RoundView | null = current.round;
  if (!round || round.phase !== 'collect' || round.settings.mode !== 'plain' || current.uploaded)
    return false;
  const key = `update:${round.id}`;
  if (hasPending(ctx.db, key)) return false;
  // The policy decides before the first message for the round: a refused round gets none.
  if (admitBySettings(ctx.db, ctx.now(), http.baseUrl, round)) return false;
  await http.send('POST', `/v1/rounds/${round.id}/checkin`, '{}', checkinResponse, {
    kind: 'checkin',
    roundId: round.id,
  });
  const { settings } = round;
  const trained = await localUpdate(ctx, http, round);
  const { clipped, norm } = clipUpdate(trained.delta, settings.clipNorm);
  const encoded = encodeFloat32(clipped);
  const body = JSON.stringify({
    modelVersion: round.modelVersion,
    parameterCount: clipped.length,
    sampleCount: Math.max(1, trained.sampleCount),
    encoding: 'f32le-base64',
    delta: encoded,
    sha256: sha256Hex(Buffer.from(encoded, 'base64')),
  });
  enqueue(
    ctx.db,
    {
      kind: 'update',
      roundId: round.id,
      idempotencyKey: key,
      path: `/v1/rounds/${round.id}/update`,
      body,
      meta: {
        kind: 'update',
        roundId: round.id,
        details: {
          mode: 'plain',
          parameters: clipped.length,
          sampleCount: trained.sampleCount,
          normBeforeClip: norm,
          clipNorm: settings.clipNorm,
        },
        // Plain rounds add no noise on the shop: charged as a round without noise.
        charge: {
          roundKey: roundKey(http.baseUrl, round),
          roundId: round.id,
          mode: 'plain',
          noiseMultiplier: 0,
          clipNorm: settings.clipNorm,
        },
      },
    },
    ctx.now(),
  );
  return true;
}
