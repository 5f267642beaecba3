/**
 * The coordinator's side of the consistency check and of unmasking. Each revealed share is checked
 * against the commitment its owner signed, so a wrong share is skipped and another holder's used;
 * what remains after removing every mask is Σ_{u∈U3} x_u mod 2^k and nothing about any single x_u.
 */
import { SecAggError, fromBase64, toBase64, wordsToBase64 } from './bytes.ts';
import { isX25519Pair, verifyEd25519 } from './primitives.ts';
import { pairwiseMaskKey, selfMaskKey } from './protocol.ts';
import { addMasksInPlace, ringAddInPlace, type MaskTerm } from './ring.ts';
import { confirmBytes, seedCommitment, type RoundGraph } from './round-protocol.ts';
import type {
  Confirmation,
  ServerRound,
  ShareKeysMessage,
  UnmaskMessage,
  UnmaskRequest,
} from './round-types.ts';
import { shamirCombine, shareCommitment, type SecretKind, type ShareOpening } from './shamir.ts';
import { expectPhase, failRound } from './coordinator-round.ts';

export function acceptConfirmation(round: ServerRound, confirmation: Confirmation): Confirmation {
  expectPhase(round, 'confirm');
  const survivors = round.survivors!;
  if (!survivors.includes(confirmation.shopId))
    throw new SecAggError('refused', `${confirmation.shopId} is not a survivor of this round`);
  const identity = round.identities[confirmation.shopId]!;
  const bytes = confirmBytes(round.paramsDigest, round.rosterHash!, survivors);
  if (!verifyEd25519(identity, bytes, confirmation.signature))
    throw new SecAggError(
      'bad-signature',
      `the confirmation of ${confirmation.shopId} does not sign the survivor set`,
    );
  return { shopId: confirmation.shopId, signature: confirmation.signature };
}

/** Ends the consistency check: with T signatures over U3 the unmask request can go out. */
export function closeConfirm(round: ServerRound, confirmations: Confirmation[]): ServerRound {
  expectPhase(round, 'confirm');
  const T = round.config!.minSurvivors;
  if (confirmations.length < T)
    return failRound(
      round,
      'below-threshold',
      `only ${confirmations.length} survivors signed the survivor set; ${T} needed`,
    );
  const sorted = [...confirmations].sort((a, b) => (a.shopId < b.shopId ? -1 : 1));
  return { ...round, phase: 'unmask', confirmations: sorted };
}

export function unmaskRequestOf(round: ServerRound): UnmaskRequest {
  if (!round.survivors || !round.confirmations)
    throw new SecAggError('wrong-phase', 'unmasking starts when the survivor set is signed');
  return { survivors: round.survivors, confirmations: round.confirmations };
}

/** Structure of an answer: exactly the owners this shop holds shares of, split by U3. */
export function acceptUnmask(
  round: ServerRound,
  graph: RoundGraph,
  maskedWith: string[],
  message: UnmaskMessage,
): UnmaskMessage {
  expectPhase(round, 'unmask');
  const me = message.shopId;
  const signed = new Set(round.confirmations!.map((c) => c.shopId));
  if (!signed.has(me)) throw new SecAggError('refused', `${me} did not sign the survivor set`);
  const survivors = new Set(round.survivors);
  const sharers = new Set(round.sharers);
  const holders = new Set(graph.holders(me).filter((id) => sharers.has(id)));
  const within = (ids: string[], allowed: (id: string) => boolean) =>
    ids.every((id) => holders.has(id) && allowed(id));
  const maskedSet = new Set(maskedWith);
  if (
    !within(Object.keys(message.selfMaskShares), (id) => survivors.has(id)) ||
    !within(Object.keys(message.maskKeyShares), (id) => !survivors.has(id)) ||
    !Object.keys(message.pairwiseKeys).every((id) => maskedSet.has(id) && !survivors.has(id))
  )
    throw new SecAggError('malformed', 'the unmask answer does not match the request');
  for (const key of Object.values(message.pairwiseKeys)) fromBase64(key, 32);
  return message;
}

type RecoveryInput = {
  /** Σ of the survivors' masked vectors (sumMasked). */
  maskedSum: Uint32Array;
  messageOf: (id: string) => ShareKeysMessage | undefined;
  maskedWithOf: (id: string) => string[];
  answers: UnmaskMessage[];
};

function commitmentFor(
  graph: RoundGraph,
  message: ShareKeysMessage,
  kind: SecretKind,
  holder: string,
): string | undefined {
  if (holder === message.shopId)
    return kind === 'self-mask' ? message.ownCommitments.selfMask : message.ownCommitments.maskKey;
  const record = message.shares[graph.keyIndex(message.shopId, holder)];
  return kind === 'self-mask' ? record?.selfMaskCommitment : record?.maskKeyCommitment;
}

/** The owner's secret from t of its holders' shares that open the commitments it signed, or null. */
function rebuild(
  round: ServerRound,
  graph: RoundGraph,
  owner: ShareKeysMessage,
  kind: SecretKind,
  answerOf: Map<string, UnmaskMessage>,
): { secret: Uint8Array; wrongShares: number } | null {
  const t = round.config!.threshold;
  const valid: string[] = [];
  let wrongShares = 0;
  for (const holder of graph.holders(owner.shopId)) {
    const answer = answerOf.get(holder);
    const opening: ShareOpening | undefined =
      kind === 'self-mask'
        ? answer?.selfMaskShares[owner.shopId]
        : answer?.maskKeyShares[owner.shopId];
    if (!opening) continue;
    let ok: boolean;
    try {
      const expected = commitmentFor(graph, owner, kind, holder);
      ok = expected === shareCommitment(round.paramsDigest, kind, owner.shopId, holder, opening);
    } catch {
      ok = false;
    }
    if (ok) valid.push(opening.share);
    else wrongShares++;
    if (valid.length === t) return { secret: shamirCombine(valid), wrongShares };
  }
  return null;
}

export type Recovered = { round: ServerRound; sum: Uint32Array | null; wrongShares: number };

/**
 * Rebuilds each survivor's self-mask seed and each dropped neighbour's mask key (falling back to
 * the pairwise keys survivors revealed), checks them against the seed commitment and the advertised
 * mask key, and removes all masks from the survivors' sum.
 */
export function recoverSum(round: ServerRound, graph: RoundGraph, input: RecoveryInput): Recovered {
  expectPhase(round, 'unmask');
  const { params, paramsDigest: digest } = round;
  const sum = Uint32Array.from(input.maskedSum);
  let wrongShares = 0;
  const fail = (code: string, why: string): Recovered => ({
    round: failRound(round, code, why),
    sum: null,
    wrongShares,
  });
  const survivors = round.survivors!;
  const answerOf = new Map(input.answers.map((a) => [a.shopId, a]));
  // Every mask to remove is found first and all are removed in one batch.
  const masks: MaskTerm[] = [];
  for (const u of survivors) {
    const owner = input.messageOf(u)!;
    const rebuilt = rebuild(round, graph, owner, 'self-mask', answerOf);
    if (!rebuilt)
      return fail('reconstruction-failed', `too few valid shares of ${u}'s self-mask seed`);
    wrongShares += rebuilt.wrongShares;
    if (seedCommitment(digest, u, rebuilt.secret) !== owner.seedCommitment)
      return fail(
        'reconstruction-failed',
        `${u} dealt shares that do not rebuild its committed seed`,
      );
    masks.push({ key: selfMaskKey(digest, rebuilt.secret, u), sign: -1 });
  }
  const alive = new Set(survivors);
  const maskKeyOf = new Map(round.roster!.map((e) => [e.shopId, e.maskKey]));
  const maskedWith = new Map(survivors.map((u) => [u, input.maskedWithOf(u)]));
  const dropped = [
    ...new Set(survivors.flatMap((u) => maskedWith.get(u)!.filter((d) => !alive.has(d)))),
  ].sort();
  for (const d of dropped) {
    const owner = input.messageOf(d)!;
    const rebuilt = rebuild(round, graph, owner, 'mask-key', answerOf);
    wrongShares += rebuilt?.wrongShares ?? 0;
    let secret: string | null = rebuilt ? toBase64(rebuilt.secret) : null;
    if (secret && !isX25519Pair(secret, maskKeyOf.get(d)!)) secret = null;
    for (const w of survivors.filter((id) => maskedWith.get(id)!.includes(d))) {
      const revealed = answerOf.get(w)?.pairwiseKeys[d];
      const key = secret
        ? pairwiseMaskKey(digest, secret, maskKeyOf.get(w)!, d, w, maskKeyOf.get(d))
        : revealed
          ? fromBase64(revealed, 32)
          : null;
      if (!key)
        return fail(
          'reconstruction-failed',
          `the mask between ${w} and dropped ${d} cannot be removed`,
        );
      // y_w carries +PRG(s_wd) when d > w and −PRG(s_wd) when d < w; undo exactly that.
      masks.push({ key, sign: d > w ? -1 : 1 });
    }
  }
  addMasksInPlace(sum, masks, params.modulusBits);
  return { round: { ...round, phase: 'done' }, sum, wrongShares };
}

/** Σ of the survivors' masked vectors; the caller may instead keep a running sum of uploads. */
export function sumMasked(round: ServerRound, vectorOf: (id: string) => Uint32Array): Uint32Array {
  const sum = new Uint32Array(round.params.vectorLength);
  for (const u of round.survivors!) ringAddInPlace(sum, vectorOf(u), round.params.modulusBits);
  return sum;
}

/** The recovered sum in wire form (base64 words). */
export function sumToWire(sum: Uint32Array): string {
  return wordsToBase64(sum);
}
