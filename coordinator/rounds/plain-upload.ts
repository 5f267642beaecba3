import {
  allFinite,
  l2Norm,
  sampleWeight,
  withinClipBound,
} from '../../federated/aggregation/index.ts';
import {
  bytesOfFloat32,
  sha256Hex,
  type UpdateRequest,
  type UpdateResponse,
} from '../../federated/protocol/index.ts';
import { CoordinatorError } from '../errors.ts';
import type { Db } from '../store/database.ts';
import { getModel } from '../store/models.ts';
import { activeRound, getRound, getUpdate, insertUpdate, settingsOf } from '../store/rounds.ts';

/**
 * Validates one shop's plain update and stores it (in one transaction, before the answer).
 * A retry of the exact same update returns the first answer; a different second one is a 409.
 */
export function acceptPlainUpdate(
  db: Db,
  request: { roundId: number; shopId: string; body: UpdateRequest },
  now: Date,
): UpdateResponse {
  const { roundId, shopId, body } = request;
  return db.transaction((): UpdateResponse => {
    const round = getRound(db, roundId);
    if (!round) throw new CoordinatorError(404, 'no-round', `There is no round ${roundId}.`);
    const previous = getUpdate(db, roundId, shopId);
    if (previous) {
      if (previous.payload_sha256 === body.sha256)
        return { roundId, accepted: true, duplicate: true, receivedAt: previous.received_at };
      throw new CoordinatorError(
        409,
        'already-uploaded',
        `This shop already sent a different update for round ${roundId}.`,
      );
    }
    if (activeRound(db)?.id !== roundId || round.phase !== 'collect')
      throw new CoordinatorError(
        409,
        'wrong-phase',
        `Round ${roundId} is not collecting updates (it is ${round.phase}).`,
        {
          phase: round.phase,
        },
      );
    const settings = settingsOf(round);
    if (settings.mode !== 'plain')
      throw new CoordinatorError(
        409,
        'wrong-mode',
        `Round ${roundId} uses secure aggregation: send a masked update.`,
      );
    if (body.modelVersion !== round.model_version)
      throw new CoordinatorError(
        409,
        'wrong-model',
        `Round ${roundId} trains from model version ${round.model_version}, not ${body.modelVersion}.`,
      );
    const model = getModel(db, round.model_version)!;
    if (body.parameterCount !== model.parameter_count)
      throw new CoordinatorError(
        400,
        'wrong-shape',
        `The update has ${body.parameterCount} values; the model has ${model.parameter_count}.`,
      );
    const bytes = Buffer.from(body.delta, 'base64');
    if (bytes.toString('base64') !== body.delta || bytes.length !== model.parameter_count * 4)
      throw new CoordinatorError(
        400,
        'wrong-shape',
        `The update payload is not ${model.parameter_count} float32 values in base64.`,
      );
    if (sha256Hex(bytes) !== body.sha256)
      throw new CoordinatorError(
        400,
        'hash-mismatch',
        'The update payload does not match its sha256.',
      );
    const delta = new Float32Array(model.parameter_count);
    for (let i = 0; i < delta.length; i++) delta[i] = bytes.readFloatLE(i * 4);
    if (!allFinite(delta))
      throw new CoordinatorError(400, 'not-finite', 'The update contains NaN or infinite values.');
    const norm = l2Norm(delta);
    if (!withinClipBound(norm, settings.clipNorm))
      throw new CoordinatorError(
        400,
        'norm-exceeded',
        `The update's norm ${norm.toFixed(4)} exceeds the round's clip norm ${settings.clipNorm}.`,
      );
    const receivedAt = now.toISOString();
    insertUpdate(db, {
      round_id: roundId,
      shop_id: shopId,
      payload_sha256: body.sha256,
      sample_count: body.sampleCount,
      weight: sampleWeight(body.sampleCount, settings.weighting, settings.maxSampleWeight),
      norm,
      bytes: bytes.length,
      delta: bytesOfFloat32(delta),
      received_at: receivedAt,
    });
    return { roundId, accepted: true, duplicate: false, receivedAt };
  })();
}
