/**
 * Unmasking the sum: once every shop that signed the survivor set has answered (or at the
 * unmask deadline with the answers there are), the coordinator adds up the survivors' masked
 * uploads, rebuilds the masks from the answers (a share that fails its commitment is skipped and
 * another holder's used) and keeps only Σ x_u in the round header.
 */
import { wordsToBase64 } from '../../federated/secagg/bytes.ts';
import {
  droppedOf,
  noSecrets,
  rebuildSecrets,
  removeMasks,
  type RebuiltSecrets,
  type RecoveryFailure,
} from '../../federated/secagg/coordinator-unmask.ts';
import { failRound } from '../../federated/secagg/coordinator-round.ts';
import { ringAddInPlace } from '../../federated/secagg/ring.ts';
import { parseMaskedUpload } from '../../federated/secagg/round-wire.ts';
import type { UnmaskMessage } from '../../federated/secagg/round-types.ts';
import { audit } from '../store/database.ts';
import { getRound } from '../store/rounds.ts';
import { dropRoundPayloads, messagesOf, metaOf } from '../store/secagg.ts';
import { powerOfTwoChunks, type CoordinatorStore, type Sql } from '../store/sql.ts';
import { roundData, shareMessages } from './round-data.ts';
import { answeredAll } from './answered.ts';
import { loadHeader, membersOf, saveHeader, type SecureHeader } from './state.ts';

/** Whether every signer of the survivor set has sent its unmask answer. */
export async function allAnswered(
  sql: Sql,
  roundId: number,
  header: SecureHeader,
): Promise<boolean> {
  if (header.phase !== 'unmask') return false;
  return answeredAll(sql, roundId, 'unmask', membersOf(header).confirmed, false);
}

/**
 * Owners whose share messages, and openings from every answer, are in memory at once. A round's
 * answers together hold every owner's openings (10,000 × 254 at 10,000 shops): more than a default
 * heap, so recovery reads them again for each batch.
 */
const RECOVERY_BATCH = 1024;

/** Each answer, one page at a time, to `visit`; parsed bodies are dropped after their visit. */
async function eachAnswer(
  sql: Sql,
  roundId: number,
  answerers: readonly string[],
  visit: (answer: UnmaskMessage) => void,
): Promise<void> {
  for (const page of powerOfTwoChunks(answerers))
    for (const row of await messagesOf(sql, roundId, 'unmask', page))
      visit(JSON.parse(row.body!.toString('utf8')) as UnmaskMessage);
}

const pick = <T>(all: Record<string, T>, owners: ReadonlySet<string>): Record<string, T> =>
  Object.fromEntries(Object.entries(all).filter(([owner]) => owners.has(owner)));

/** Every answer cut down to the openings of some owners. */
async function answersFor(
  sql: Sql,
  roundId: number,
  answerers: readonly string[],
  owners: readonly string[],
): Promise<Map<string, UnmaskMessage>> {
  const wanted = new Set(owners);
  const out = new Map<string, UnmaskMessage>();
  await eachAnswer(sql, roundId, answerers, (a) =>
    out.set(a.shopId, {
      shopId: a.shopId,
      selfMaskShares: pick(a.selfMaskShares, wanted),
      maskKeyShares: pick(a.maskKeyShares, wanted),
      pairwiseKeys: {},
    }),
  );
  return out;
}

/**
 * Rebuilds the sum from what the store holds; returns the header to save ('done' or 'failed').
 * Memory stays bounded by a batch of owners, whatever the round's size.
 */
export async function recoverHeader(
  sql: Sql,
  roundId: number,
  header: SecureHeader,
  batch = RECOVERY_BATCH,
): Promise<SecureHeader> {
  const { graph } = await roundData(sql, roundId, header);
  const survivors = header.survivors!;
  const { vectorLength, modulusBits } = header.params;
  const maskedSum = new Uint32Array(vectorLength);
  // One upload at a time: a round's uploads together can be hundreds of megabytes.
  for (const id of survivors) {
    const [row] = await messagesOf(sql, roundId, 'masked', [id]);
    ringAddInPlace(maskedSum, parseMaskedUpload(row!.body!, vectorLength).masked, modulusBits);
  }
  const maskedWith = new Map(
    (await metaOf(sql, roundId, 'masked')).map((r) => [
      r.shop_id,
      (JSON.parse(r.meta ?? '{}') as { maskedWith?: string[] }).maskedWith ?? [],
    ]),
  );
  const maskedWithOf = (id: string) => maskedWith.get(id) ?? [];
  const answerers = (await metaOf(sql, roundId, 'unmask')).map((r) => r.shop_id);
  const secrets = noSecrets();
  const batches = [
    ...powerOfTwoChunks(survivors, batch).map((ids) => ({ selfMask: ids, maskKey: [] })),
    ...powerOfTwoChunks(droppedOf(survivors, maskedWithOf), batch).map((ids) => ({
      selfMask: [],
      maskKey: ids,
    })),
  ];
  let failure: RecoveryFailure | null = null;
  for (const owners of batches) {
    const ids = [...owners.selfMask, ...owners.maskKey];
    const messages = await shareMessages(sql, roundId, graph, ids);
    const answers = await answersFor(sql, roundId, answerers, ids);
    failure = rebuildSecrets(
      header,
      graph,
      owners,
      (id) => messages.get(id),
      (holder) => answers.get(holder),
      secrets,
    );
    if (failure) break;
  }
  const recovered = failure
    ? { round: failRound(header, failure.code, failure.why), sum: null }
    : removeMasks(header, {
        maskedSum,
        maskedWithOf,
        secrets,
        revealedKeyOf: await revealedKeys(sql, roundId, answerers, secrets),
      });
  const next: SecureHeader = {
    ...header,
    ...recovered.round,
    recovery: { answers: answerers.length, wrongShares: secrets.wrongShares },
  };
  if (recovered.sum) next.sum = wordsToBase64(recovered.sum);
  return next;
}

/** The pairwise keys survivors revealed, read only for dropped shops whose mask key was not rebuilt. */
async function revealedKeys(
  sql: Sql,
  roundId: number,
  answerers: readonly string[],
  secrets: RebuiltSecrets,
): Promise<(w: string, d: string) => string | undefined> {
  const missing = new Set([...secrets.maskKey].filter(([, key]) => key === null).map(([d]) => d));
  const keys = new Map<string, Record<string, string>>();
  if (missing.size > 0)
    await eachAnswer(sql, roundId, answerers, (a) =>
      keys.set(a.shopId, pick(a.pairwiseKeys, missing)),
    );
  return (w, d) => keys.get(w)?.[d];
}

/** Stores a recovered header and what it releases, once (another instance may have done it). */
export async function storeRecovery(
  sql: Sql,
  roundId: number,
  recovered: SecureHeader,
  now: Date,
): Promise<boolean> {
  const round = await getRound(sql, roundId, 'update');
  const current = round ? await loadHeader(sql, round) : null;
  if (!round || round.phase !== 'unmask' || current?.phase !== 'unmask') return false;
  await saveHeader(sql, roundId, recovered);
  if (recovered.phase === 'done') await dropRoundPayloads(sql, roundId);
  await audit(
    sql,
    'system',
    recovered.phase === 'done' ? 'secagg.sum-recovered' : 'secagg.unmask-failed',
    {
      round: roundId,
      survivors: recovered.survivors?.length ?? 0,
      wrongShares: recovered.recovery?.wrongShares ?? 0,
      reason: recovered.failure?.message ?? null,
    },
    now,
  );
  return true;
}

// Recoveries this process runs, by store and round: the last answer's retries and the watch tick
// wait for the one running rather than start another (each holds a batch of owners in memory).
const running = new WeakMap<CoordinatorStore, Map<number, Promise<boolean>>>();

/**
 * Recovers the sum when every signer answered. The work runs outside a transaction (it takes
 * seconds at scale); storing it checks that nothing moved meanwhile, so two instances on one
 * store may both do it and one stores it.
 */
export async function recoverIfReady(
  store: CoordinatorStore,
  roundId: number,
  now: () => Date,
): Promise<boolean> {
  const mine = running.get(store) ?? new Map<number, Promise<boolean>>();
  running.set(store, mine);
  const known = mine.get(roundId);
  if (known) return known;
  const round = await getRound(store, roundId);
  const header = round?.phase === 'unmask' ? await loadHeader(store, round) : null;
  if (!header || !(await allAnswered(store, roundId, header))) return false;
  const again = mine.get(roundId);
  if (again) return again;
  const recovery = recoverHeader(store, roundId, header)
    .then((recovered) => store.transaction((tx) => storeRecovery(tx, roundId, recovered, now())))
    .finally(() => mine.delete(roundId));
  mine.set(roundId, recovery);
  return recovery;
}
