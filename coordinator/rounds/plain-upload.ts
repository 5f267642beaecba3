import {
  allFinite,
  l2Norm,
  sampleWeight,
  withinClipBound,
} from '../../federated/aggregation/index.ts';
import {
  float32FromBytes,
  sha256Hex,
  type UpdateRequest,
  type UpdateResponse,
} from '../../federated/protocol/index.ts';
import { CoordinatorError } from '../errors.ts';
import { modelShape } from '../store/models.ts';
import {
  getRound,
  insertUpdates,
  settingsOf,
  uploadReceipt,
  uploadReceipts,
  type RoundRow,
  type UpdateRow,
  type UploadReceipt,
} from '../store/rounds.ts';
import type { Sql } from '../store/sql.ts';
import { burstSpacingMs, perTurn } from './per-turn.ts';

/** The first answer again for an identical retry; 409 for a different second update. */
function answerForStored(stored: UploadReceipt, roundId: number, sha256: string): UpdateResponse {
  if (stored.payload_sha256 === sha256)
    return { roundId, accepted: true, duplicate: true, receivedAt: stored.received_at };
  throw new CoordinatorError(
    409,
    'already-uploaded',
    `This shop already sent a different update for round ${roundId}.`,
  );
}

function notCollecting(round: RoundRow): CoordinatorError {
  return new CoordinatorError(
    409,
    'wrong-phase',
    `Round ${round.id} is not collecting updates (it is ${round.phase}).`,
    { phase: round.phase },
  );
}

/**
 * Checks one plain update against its round and model, with no lock held (the checks are CPU
 * work: base64, sha256, finiteness, norm). Returns the row to store.
 */
export function validatePlainUpdate(
  round: RoundRow,
  parameterCount: number,
  shopId: string,
  body: UpdateRequest,
  now: Date,
): UpdateRow {
  if (round.phase !== 'collect') throw notCollecting(round);
  const settings = settingsOf(round);
  if (settings.mode !== 'plain')
    throw new CoordinatorError(
      409,
      'wrong-mode',
      `Round ${round.id} uses secure aggregation: send a masked update.`,
    );
  if (body.modelVersion !== round.model_version)
    throw new CoordinatorError(
      409,
      'wrong-model',
      `Round ${round.id} trains from model version ${round.model_version}, not ${body.modelVersion}.`,
    );
  if (body.parameterCount !== parameterCount)
    throw new CoordinatorError(
      400,
      'wrong-shape',
      `The update has ${body.parameterCount} values; the model has ${parameterCount}.`,
    );
  const bytes = Buffer.from(body.delta, 'base64');
  if (bytes.toString('base64') !== body.delta || bytes.length !== parameterCount * 4)
    throw new CoordinatorError(
      400,
      'wrong-shape',
      `The update payload is not ${parameterCount} float32 values in base64.`,
    );
  if (sha256Hex(bytes) !== body.sha256)
    throw new CoordinatorError(
      400,
      'hash-mismatch',
      'The update payload does not match its sha256.',
    );
  const delta = float32FromBytes(bytes);
  if (!allFinite(delta))
    throw new CoordinatorError(400, 'not-finite', 'The update contains NaN or infinite values.');
  const norm = l2Norm(delta);
  if (!withinClipBound(norm, settings.clipNorm))
    throw new CoordinatorError(
      400,
      'norm-exceeded',
      `The update's norm ${norm.toFixed(4)} exceeds the round's clip norm ${settings.clipNorm}.`,
    );
  return {
    round_id: round.id,
    shop_id: shopId,
    payload_sha256: body.sha256,
    sample_count: body.sampleCount,
    weight: sampleWeight(body.sampleCount, settings.weighting, settings.maxSampleWeight),
    norm,
    bytes: bytes.length,
    // Finite float32 values encode back to exactly these bytes: no need to write them again.
    delta: bytes,
    received_at: now.toISOString(),
  };
}

/**
 * Stores validated updates of one round in one transaction, holding the round's row shared so
 * that the end of `collect` (which takes it exclusively) waits for them, and none arrives after
 * the round was aggregated. A caller may pass many uploads at once to share one commit.
 * Returns, per row, whether it was stored (false: the shop's update was already there).
 */
export async function storePlainUpdates(
  sql: Sql,
  roundId: number,
  rows: readonly UpdateRow[],
): Promise<boolean[]> {
  return sql.transaction(async (tx) => {
    const round = await getRound(tx, roundId, 'share');
    if (!round) throw new CoordinatorError(404, 'no-round', `There is no round ${roundId}.`);
    if (round.phase !== 'collect') throw notCollecting(round);
    const inserted = new Set(await insertUpdates(tx, rows));
    return rows.map((row) => inserted.has(row));
  });
}

/** Stores one validated update; true when stored, false when the shop's was already there. */
export type StoreUpdate = (roundId: number, row: UpdateRow) => Promise<boolean>;

/**
 * A `StoreUpdate` that commits the updates arriving in one turn of the event loop together: one
 * transaction per round and burst instead of one per upload. A round that stopped collecting
 * refuses its whole group, as it would refuse each of them.
 */
export function groupCommit(sql: Sql): StoreUpdate {
  const store = perTurn(
    async (items: { roundId: number; row: UpdateRow }[]) => {
      const results: (boolean | Error)[] = new Array(items.length);
      for (const roundId of new Set(items.map((item) => item.roundId))) {
        const indices = items.flatMap((item, i) => (item.roundId === roundId ? [i] : []));
        try {
          const stored = await storePlainUpdates(
            sql,
            roundId,
            indices.map((i) => items[i]!.row),
          );
          indices.forEach((i, k) => (results[i] = stored[k]!));
        } catch (error) {
          for (const i of indices) results[i] = error as Error;
        }
      }
      return results;
    },
    { spacingMs: burstSpacingMs },
  );
  return async (roundId, row) => {
    const result = await store({ roundId, row });
    if (result instanceof Error) throw result;
    return result;
  };
}

/** What the upload path reads before it validates: the round, a stored receipt, the model size. */
export type UploadFacts = {
  round: RoundRow | undefined;
  receipt: UploadReceipt | undefined;
  parameterCount: (modelVersion: number) => Promise<number | undefined>;
};

/** How an upload reads its facts and stores its row: one statement each, or batched per turn. */
export type UploadPath = {
  facts: (roundId: number, shopId: string) => Promise<UploadFacts>;
  store: StoreUpdate;
};

/** One statement per read and one transaction per upload: for callers without a burst. */
export function directUploadPath(sql: Sql): UploadPath {
  return {
    facts: async (roundId, shopId) => ({
      round: await getRound(sql, roundId),
      receipt: await uploadReceipt(sql, roundId, shopId),
      parameterCount: async (version) => (await modelShape(sql, version))?.parameter_count,
    }),
    store: async (roundId, row) => (await storePlainUpdates(sql, roundId, [row]))[0]!,
  };
}

/**
 * The service's upload path: the uploads of one turn of the event loop read their rounds and
 * receipts in one statement per round and share one commit; a model's size is read once (a
 * stored model version never changes).
 */
export function batchedUploadPath(sql: Sql): UploadPath {
  const sizes = new Map<number, Promise<number | undefined>>();
  const parameterCount = (version: number) => {
    let size = sizes.get(version);
    if (!size) {
      size = modelShape(sql, version).then((row) => row?.parameter_count);
      // An absent version may still appear, and a failed read may succeed later: only a found
      // size is kept.
      void size.then(
        (found) => found === undefined && sizes.delete(version),
        () => sizes.delete(version),
      );
      sizes.set(version, size);
    }
    return size;
  };
  const facts = perTurn(
    async (items: { roundId: number; shopId: string }[]) => {
      const rounds = new Map<number, RoundRow | undefined>();
      const receipts = new Map<string, UploadReceipt>();
      for (const roundId of new Set(items.map((item) => item.roundId))) {
        rounds.set(roundId, await getRound(sql, roundId));
        const shops = items.filter((item) => item.roundId === roundId).map((item) => item.shopId);
        for (const [shopId, receipt] of await uploadReceipts(sql, roundId, shops))
          receipts.set(`${roundId} ${shopId}`, receipt);
      }
      return items.map((item): UploadFacts => ({
        round: rounds.get(item.roundId),
        receipt: receipts.get(`${item.roundId} ${item.shopId}`),
        parameterCount,
      }));
    },
    { spacingMs: burstSpacingMs },
  );
  return { facts: (roundId, shopId) => facts({ roundId, shopId }), store: groupCommit(sql) };
}

/**
 * Validates one shop's plain update and stores it before the answer. A retry of the exact same
 * update returns the first answer (even after the round closed); a different second one is a 409.
 */
export async function acceptPlainUpdate(
  sql: Sql,
  request: { roundId: number; shopId: string; body: UpdateRequest },
  now: Date,
  path: UploadPath = directUploadPath(sql),
): Promise<UpdateResponse> {
  const { roundId, shopId, body } = request;
  const { round, receipt, parameterCount } = await path.facts(roundId, shopId);
  if (!round) throw new CoordinatorError(404, 'no-round', `There is no round ${roundId}.`);
  if (receipt) return answerForStored(receipt, roundId, body.sha256);
  if (round.phase !== 'collect') throw notCollecting(round);
  const size = await parameterCount(round.model_version);
  const row = validatePlainUpdate(round, size!, shopId, body, now);
  const stored = await path.store(roundId, row);
  if (stored) return { roundId, accepted: true, duplicate: false, receivedAt: row.received_at };
  // Another copy of this shop's upload was stored between the check above and this one.
  return answerForStored((await uploadReceipt(sql, roundId, shopId))!, roundId, body.sha256);
}
