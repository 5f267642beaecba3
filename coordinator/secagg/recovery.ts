/**
 * Unmasking the sum: once every shop that signed the survivor set has answered (or at the
 * unmask deadline with the answers there are), the coordinator adds up the survivors' masked
 * uploads, rebuilds the masks from the answers (a share that fails its commitment is skipped and
 * another holder's used) and keeps only Σ x_u in the round header.
 */
import { wordsToBase64 } from '../../federated/secagg/bytes.ts';
import { recoverSum } from '../../federated/secagg/coordinator-unmask.ts';
import { ringAddInPlace } from '../../federated/secagg/ring.ts';
import { parseMaskedUpload } from '../../federated/secagg/round-wire.ts';
import type { UnmaskMessage } from '../../federated/secagg/round-types.ts';
import { audit } from '../store/database.ts';
import { getRound } from '../store/rounds.ts';
import { dropRoundPayloads, messagesOf, metaOf } from '../store/secagg.ts';
import type { CoordinatorStore, Sql } from '../store/sql.ts';
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

/** Rebuilds the sum from what the store holds; returns the header to save ('done' or 'failed'). */
export async function recoverHeader(
  sql: Sql,
  roundId: number,
  header: SecureHeader,
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
  // Survivors (self-mask seeds) and the dropped shops they masked with (mask keys).
  const owners = [...new Set([...survivors, ...survivors.flatMap((u) => maskedWith.get(u) ?? [])])];
  const messages = await shareMessages(sql, roundId, graph, owners);
  const answers = (await messagesOf(sql, roundId, 'unmask')).map(
    (r) => JSON.parse(r.body!.toString('utf8')) as UnmaskMessage,
  );
  const recovered = recoverSum(header, graph, {
    maskedSum,
    messageOf: (id) => messages.get(id),
    maskedWithOf: (id) => maskedWith.get(id) ?? [],
    answers,
  });
  const next: SecureHeader = {
    ...header,
    ...recovered.round,
    recovery: { answers: answers.length, wrongShares: recovered.wrongShares },
  };
  if (recovered.sum) next.sum = wordsToBase64(recovered.sum);
  return next;
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

/**
 * Recovers the sum when every signer answered. The work runs outside a transaction (it takes
 * seconds at scale); storing it checks that nothing moved meanwhile.
 */
export async function recoverIfReady(
  store: CoordinatorStore,
  roundId: number,
  now: () => Date,
): Promise<boolean> {
  const round = await getRound(store, roundId);
  const header = round?.phase === 'unmask' ? await loadHeader(store, round) : null;
  if (!header || !(await allAnswered(store, roundId, header))) return false;
  const recovered = await recoverHeader(store, roundId, header);
  return store.transaction((tx) => storeRecovery(tx, roundId, recovered, now()));
}
