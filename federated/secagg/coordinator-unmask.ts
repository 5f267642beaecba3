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
  answerOf: (holder: string) => UnmaskMessage | undefined,
): { secret: Uint8Array; wrongShares: number } | null {
  const t = round.config!.threshold;
  const valid: string[] = [];
  let wrongShares = 0;
  for (const holder of graph.holders(owner.shopId)) {
    const answer = answerOf(holder);
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

/** What unmasking rebuilds: 32 bytes an owner, small enough to hold for every owner of a round. */
export type RebuiltSecrets = {
  /** Each survivor's self-mask seed. */
  selfMask: Map<string, Uint8Array>;
  /** Each dropped shop's mask key (base64), or null when its shares do not rebuild its advert's. */
  maskKey: Map<string, string | null>;
  wrongShares: number;
};

export const noSecrets = (): RebuiltSecrets => ({
  selfMask: new Map(),
  maskKey: new Map(),
  wrongShares: 0,
});

export type RecoveryFailure = { code: string; why: string };

/** The dropped shops some survivor masked with, whose masks the sum still carries. */
export function droppedOf(
  survivors: readonly string[],
  maskedWithOf: (id: string) => string[],
): string[] {
  const alive = new Set(survivors);
  return [
    ...new Set(survivors.flatMap((u) => maskedWithOf(u).filter((d) => !alive.has(d)))),
  ].sort();
}

/**
 * Rebuilds some owners' secrets into `into`: the self-mask seeds of survivors and the mask keys of
 * dropped shops. Owners are independent, so a caller can go through a round's owners in batches
 * and hold only one batch's share messages and openings at a time.
 */
export function rebuildSecrets(
  round: ServerRound,
  graph: RoundGraph,
  owners: { selfMask: readonly string[]; maskKey: readonly string[] },
  messageOf: (id: string) => ShareKeysMessage | undefined,
  answerOf: (holder: string) => UnmaskMessage | undefined,
  into: RebuiltSecrets,
): RecoveryFailure | null {
  expectPhase(round, 'unmask');
  const digest = round.paramsDigest;
  for (const u of owners.selfMask) {
    const owner = messageOf(u)!;
    const rebuilt = rebuild(round, graph, owner, 'self-mask', answerOf);
    if (!rebuilt)
      return {
        code: 'reconstruction-failed',
        why: `too few valid shares of ${u}'s self-mask seed`,
      };
    into.wrongShares += rebuilt.wrongShares;
    if (seedCommitment(digest, u, rebuilt.secret) !== owner.seedCommitment)
      return {
        code: 'reconstruction-failed',
        why: `${u} dealt shares that do not rebuild its committed seed`,
      };
    into.selfMask.set(u, rebuilt.secret);
  }
  const maskKeyOf = new Map(round.roster!.map((e) => [e.shopId, e.maskKey]));
  for (const d of owners.maskKey) {
    const rebuilt = rebuild(round, graph, messageOf(d)!, 'mask-key', answerOf);
    into.wrongShares += rebuilt?.wrongShares ?? 0;
    const secret = rebuilt ? toBase64(rebuilt.secret) : null;
    into.maskKey.set(d, secret && isX25519Pair(secret, maskKeyOf.get(d)!) ? secret : null);
  }
  return null;
}

export type Recovered = { round: ServerRound; sum: Uint32Array | null; wrongShares: number };

type MaskRemoval = {
  maskedSum: Uint32Array;
  maskedWithOf: (id: string) => string[];
  secrets: RebuiltSecrets;
  /** The pairwise key survivor w revealed for dropped d, asked only when d's mask key is null. */
  revealedKeyOf: (w: string, d: string) => string | undefined;
};

/**
 * Removes every mask from the survivors' sum: their self-masks from the rebuilt seeds, and their
 * masks with dropped shops from the dropped shops' rebuilt mask keys (falling back to the pairwise
 * keys survivors revealed).
 */
export function removeMasks(round: ServerRound, input: MaskRemoval): Recovered {
  expectPhase(round, 'unmask');
  const { params, paramsDigest: digest } = round;
  const { secrets } = input;
  const sum = Uint32Array.from(input.maskedSum);
  const survivors = round.survivors!;
  const masks: MaskTerm[] = survivors.map((u) => ({
    key: selfMaskKey(digest, secrets.selfMask.get(u)!, u),
    sign: -1,
  }));
  const maskKeyOf = new Map(round.roster!.map((e) => [e.shopId, e.maskKey]));
  // Each dropped shop with the survivors that masked with it, in one pass over the survivors.
  const alive = new Set(survivors);
  const maskersOf = new Map<string, string[]>();
  for (const u of survivors)
    for (const d of input.maskedWithOf(u))
      if (!alive.has(d)) {
        const maskers = maskersOf.get(d) ?? [];
        maskers.push(u);
        maskersOf.set(d, maskers);
      }
  for (const d of [...maskersOf.keys()].sort()) {
    const secret = secrets.maskKey.get(d);
    for (const w of maskersOf.get(d)!) {
      const revealed = secret ? undefined : input.revealedKeyOf(w, d);
      const key = secret
        ? pairwiseMaskKey(digest, secret, maskKeyOf.get(w)!, d, w, maskKeyOf.get(d))
        : revealed
          ? fromBase64(revealed, 32)
          : null;
      if (!key)
        return {
          round: failRound(
            round,
            'reconstruction-failed',
            `the mask between ${w} and dropped ${d} cannot be removed`,
          ),
          sum: null,
          wrongShares: secrets.wrongShares,
        };
      // y_w carries +PRG(s_wd) when d > w and −PRG(s_wd) when d < w; undo exactly that.
      masks.push({ key, sign: d > w ? -1 : 1 });
    }
  }
  addMasksInPlace(sum, masks, params.modulusBits);
  return { round: { ...round, phase: 'done' }, sum, wrongShares: secrets.wrongShares };
}

/** Both steps of unmasking over answers held in memory (the in-memory round and the tests). */
export function recoverSum(round: ServerRound, graph: RoundGraph, input: RecoveryInput): Recovered {
  const answerOf = new Map(input.answers.map((a) => [a.shopId, a]));
  const secrets = noSecrets();
  const owners = {
    selfMask: round.survivors!,
    maskKey: droppedOf(round.survivors!, input.maskedWithOf),
  };
  const failure = rebuildSecrets(
    round,
    graph,
    owners,
    input.messageOf,
    (h) => answerOf.get(h),
    secrets,
  );
  if (failure)
    return {
      round: failRound(round, failure.code, failure.why),
      sum: null,
      wrongShares: secrets.wrongShares,
    };
  return removeMasks(round, {
    maskedSum: input.maskedSum,
    maskedWithOf: input.maskedWithOf,
    secrets,
    revealedKeyOf: (w, d) => answerOf.get(w)?.pairwiseKeys[d],
  });
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
