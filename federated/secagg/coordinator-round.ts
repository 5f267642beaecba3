/**
 * The coordinator's side of an active-adversary round up to the survivor set, as pure steps. The
 * round header (ServerRound) changes only when a phase closes or a shop is dropped; each shop's
 * messages are validated here and kept by the caller beside the header (one row each), so a
 * message costs the same whether it is the 5th or the 500th. Accept functions return what to
 * store; the caller persists it before acknowledging, and treats an identical resend as a
 * duplicate.
 */
import { SecAggError, fromBase64 } from './bytes.ts';
import { MerkleTree } from './merkle.ts';
import { verifyEd25519 } from './primitives.ts';
import { roundConfig } from './round-config.ts';
import {
  RoundGraph,
  advertisementBytes,
  paramsDigest,
  rosterHash,
  shareKeyCount,
} from './round-protocol.ts';
import type {
  AdvertisementMessage,
  MaskedUpload,
  RosterEntry,
  SecAggParams,
  ServerPhase,
  ServerRound,
  ShareKeyFor,
  ShareKeysMessage,
  ShareRecord,
} from './round-types.ts';
import { verifyReport, type ReportContext } from './share-reports.ts';

export function expectPhase(round: ServerRound, phase: ServerPhase): void {
  if (round.phase !== phase)
    throw new SecAggError('wrong-phase', `round is in phase ${round.phase}, not ${phase}`);
}

export function failRound(round: ServerRound, code: string, message: string): ServerRound {
  return { ...round, phase: 'failed', failure: { code, message } };
}

/** A new round; `identities` maps every enrolled shop id to its Ed25519 public key. */
export function createRound(params: SecAggParams, identities: Record<string, string>): ServerRound {
  return {
    version: 2,
    params,
    paramsDigest: paramsDigest(params),
    identities: { ...identities },
    phase: 'advertise',
    convicted: {},
    excluded: {},
  };
}

/** The round's graph; build it once per round and pass it to the steps that need it. */
export function roundGraphOf(round: ServerRound): RoundGraph {
  if (!round.roster || !round.config || !round.rosterHash)
    throw new SecAggError('wrong-phase', 'the graph is fixed when advertising closes');
  return new RoundGraph(
    round.paramsDigest,
    round.rosterHash,
    round.roster.map((e) => e.shopId),
    round.config,
  );
}

const isKey = (value: string) => {
  try {
    fromBase64(value, 32);
    return true;
  } catch {
    return false;
  }
};

export function acceptAdvertisement(
  round: ServerRound,
  ad: AdvertisementMessage,
): AdvertisementMessage {
  expectPhase(round, 'advertise');
  const identity = round.identities[ad.shopId];
  if (!identity)
    throw new SecAggError('unknown-shop', `${ad.shopId} is not enrolled for this round`);
  if (round.excluded[ad.shopId])
    throw new SecAggError('refused', `${ad.shopId} was dropped from this round`);
  if (!verifyEd25519(identity, advertisementBytes(round.paramsDigest, ad), ad.signature))
    throw new SecAggError('bad-signature', `advertisement of ${ad.shopId} has a bad signature`);
  const count = shareKeyCount(round.params);
  if (
    ad.shareKeyCount !== count ||
    ad.shareKeys.length !== count ||
    !ad.shareKeys.every(isKey) ||
    !isKey(ad.maskKey) ||
    !isKey(ad.senderKey)
  )
    throw new SecAggError(
      'malformed',
      `an advertisement carries ${count} share keys, a mask key and a sender key`,
    );
  if (new MerkleTree(ad.shareKeys).root !== ad.shareKeysRoot)
    throw new SecAggError('malformed', 'the share keys do not match their signed root');
  const { shopId, maskKey, shareKeysRoot, shareKeyCount: n, senderKey, signature, shareKeys } = ad;
  return { shopId, maskKey, shareKeysRoot, shareKeyCount: n, senderKey, signature, shareKeys };
}

/** Ends advertising: the roster (U1) is fixed and, from its size, the round's graph and thresholds. */
export function closeAdvertise(round: ServerRound, adverts: AdvertisementMessage[]): ServerRound {
  expectPhase(round, 'advertise');
  const roster: RosterEntry[] = adverts
    .filter((a) => !round.excluded[a.shopId])
    .sort((a, b) => (a.shopId < b.shopId ? -1 : 1))
    .map(({ shopId, maskKey, shareKeysRoot, shareKeyCount: count, senderKey, signature }) => ({
      shopId,
      maskKey,
      shareKeysRoot,
      shareKeyCount: count,
      senderKey,
      signature,
      identityKey: round.identities[shopId]!,
    }));
  let config;
  try {
    config = roundConfig(round.params, roster.length);
  } catch (error) {
    if (error instanceof SecAggError) return failRound(round, error.code, error.message);
    throw error;
  }
  return {
    ...round,
    phase: 'share',
    roster,
    rosterHash: rosterHash(round.paramsDigest, roster),
    config,
  };
}

/**
 * The share keys a shop encrypts to: for each neighbour v, v's key number (this shop's place among
 * v's neighbours) and its Merkle path. `treeOf` returns v's keys and built tree (cache them).
 */
export function shareKeysFor(
  graph: RoundGraph,
  treeOf: (id: string) => { keys: string[]; tree: MerkleTree },
  shopId: string,
): ShareKeyFor[] {
  return graph.neighbours(shopId).map((v) => {
    const index = graph.keyIndex(v, shopId);
    const { keys, tree } = treeOf(v);
    return { shopId: v, index, key: keys[index]!, path: tree.path(index) };
  });
}

export function acceptShareKeys(
  round: ServerRound,
  graph: RoundGraph,
  message: ShareKeysMessage,
): ShareKeysMessage {
  expectPhase(round, 'share');
  const u = message.shopId;
  if (!graph.has(u)) throw new SecAggError('unknown-shop', `${u} is not in this round's roster`);
  if (round.excluded[u]) throw new SecAggError('refused', `${u} was dropped from this round`);
  if (message.rosterHash !== round.rosterHash)
    throw new SecAggError('refused', `${u} shared to a different roster`);
  const near = graph.neighbours(u);
  // One record per neighbour, in the neighbours' order, so a record is found by position.
  if (message.shares.length !== near.length || message.shares.some((s, i) => s.to !== near[i]))
    throw new SecAggError(
      'malformed',
      'exactly one share record per neighbour, in order, is required',
    );
  for (const s of message.shares) {
    if (s.from !== u || s.rosterHash !== round.rosterHash || s.keyIndex !== graph.keyIndex(s.to, u))
      throw new SecAggError('malformed', `the share record for ${s.to} is not bound to this round`);
    // Sizes are the wire schema's; whether a record opens and verifies is for its recipient to
    // judge, and to report with proof.
  }
  if (
    ![
      message.seedCommitment,
      message.ownCommitments.selfMask,
      message.ownCommitments.maskKey,
    ].every(isKey)
  )
    throw new SecAggError('malformed', 'malformed commitments');
  return message;
}

/** Ends sharing: U2 is fixed; fewer than T sharers cannot reach T survivors, so the round fails. */
export function closeShare(round: ServerRound, sharers: string[]): ServerRound {
  expectPhase(round, 'share');
  const kept = sharers.filter((id) => !round.excluded[id]).sort();
  const T = round.config!.minSurvivors;
  if (kept.length < T)
    return failRound(
      round,
      'below-threshold',
      `only ${kept.length} shops shared keys; ${T} needed`,
    );
  return { ...round, phase: 'collect', sharers: kept };
}

/** The records addressed to one shop from its neighbours in U2. */
export function sharesFor(
  round: ServerRound,
  graph: RoundGraph,
  messageOf: (id: string) => ShareKeysMessage | undefined,
  shopId: string,
): ShareRecord[] {
  if (!round.sharers?.includes(shopId))
    throw new SecAggError('refused', `${shopId} did not share keys`);
  const sharers = new Set(round.sharers);
  return graph
    .neighbours(shopId)
    .filter((v) => sharers.has(v))
    .map((v) => messageOf(v)!.shares[graph.keyIndex(v, shopId)]!);
}

/** Who a shop must not mask with: shops dropped by proof or revoked so far. */
export function droppedSoFar(round: ServerRound): string[] {
  return [...new Set([...Object.keys(round.convicted), ...Object.keys(round.excluded)])].sort();
}

export type AcceptedUpload = {
  shopId: string;
  masked: Uint32Array;
  maskedWith: string[];
  /** Senders proven to have sent this shop a bad share: drop them (applyConvictions). */
  convictions: Record<string, string>;
};

/**
 * A masked upload with its share reports. Every report is checked (an unfounded one refuses the
 * whole upload: the reporter lied); `maskedWith` must name exactly the neighbours in U2 the shop
 * could not have excluded, so the pairwise masks of any two survivors cancel.
 */
export function acceptMaskedInput(
  round: ServerRound,
  graph: RoundGraph,
  message: MaskedUpload,
  context: ReportContext,
): AcceptedUpload {
  expectPhase(round, 'collect');
  const u = message.shopId;
  if (!round.sharers?.includes(u))
    throw new SecAggError('refused', `${u} did not share keys, so its upload cannot count`);
  if (round.convicted[u] || round.excluded[u])
    throw new SecAggError('refused', `${u} was dropped from this round`);
  const masked = message.masked;
  if (masked.length !== round.params.vectorLength)
    throw new SecAggError(
      'malformed',
      `the upload has ${masked.length} words, the round ${round.params.vectorLength}`,
    );
  const convictions: Record<string, string> = {};
  for (const report of message.reports) {
    const accused = report.record.from;
    if (convictions[accused]) throw new SecAggError('malformed', `two reports about ${accused}`);
    convictions[accused] = verifyReport(round, graph, u, report, context);
  }
  const sharers = new Set(round.sharers);
  const near = graph.neighbours(u).filter((v) => sharers.has(v));
  const nearSet = new Set(near);
  const mayDrop = new Set([...droppedSoFar(round), ...Object.keys(convictions)]);
  const maskedWith = new Set(message.maskedWith);
  if (
    maskedWith.size !== message.maskedWith.length ||
    message.maskedWith.some((v) => !nearSet.has(v))
  )
    throw new SecAggError('malformed', 'maskedWith names a shop that is not a sharing neighbour');
  const missing = near.find((v) => !maskedWith.has(v) && !mayDrop.has(v));
  if (missing) throw new SecAggError('malformed', `the upload is not masked with ${missing}`);
  if (Object.keys(convictions).some((id) => maskedWith.has(id)))
    throw new SecAggError('malformed', 'the upload is masked with a shop it reports');
  return { shopId: u, masked, maskedWith: [...message.maskedWith].sort(), convictions };
}

export function applyConvictions(
  round: ServerRound,
  convictions: Record<string, string>,
): ServerRound {
  const fresh = Object.entries(convictions).filter(([id]) => !round.convicted[id]);
  if (!fresh.length) return round;
  return { ...round, convicted: { ...round.convicted, ...Object.fromEntries(fresh) } };
}

/**
 * Drops a shop for a reason outside the protocol (revoked mid-round): before the survivor set is
 * fixed it becomes a dropout; afterwards the set is signed and the shop stays in it.
 */
export function excludeShop(
  round: ServerRound,
  shopId: string,
  reason: string,
): { round: ServerRound; dropped: boolean } {
  if (round.survivors || round.phase === 'done' || round.phase === 'failed')
    return { round, dropped: false };
  if (round.excluded[shopId]) return { round, dropped: true };
  return { round: { ...round, excluded: { ...round.excluded, [shopId]: reason } }, dropped: true };
}

/**
 * Ends the upload phase: U3 = uploaders not dropped. Survivors whose neighbourhood keeps fewer
 * than t survivors are peeled off (their self-mask seed could not be rebuilt, and shops would
 * refuse the set); below T survivors the round fails.
 */
export function closeCollect(
  round: ServerRound,
  graph: RoundGraph,
  uploads: { shopId: string; maskedWith: string[] }[],
): ServerRound {
  expectPhase(round, 'collect');
  const config = round.config!;
  const alive = new Set(
    uploads.map((u) => u.shopId).filter((id) => !round.convicted[id] && !round.excluded[id]),
  );
  for (let changed = true; changed;) {
    changed = false;
    for (const id of [...alive]) {
      const around =
        config.graph === 'complete'
          ? alive.size
          : graph.holders(id).filter((h) => alive.has(h)).length;
      if (around < config.threshold) {
        alive.delete(id);
        changed = true;
      }
    }
  }
  const survivors = [...alive].sort();
  const masks = new Map(uploads.map((u) => [u.shopId, new Set(u.maskedWith)]));
  for (const u of survivors)
    for (const v of masks.get(u)!)
      if (alive.has(v) && !masks.get(v)!.has(u))
        return failRound(round, 'malformed', `the masks of ${u} and ${v} do not cancel`);
  if (survivors.length < config.minSurvivors)
    return failRound(
      round,
      'below-threshold',
      `only ${survivors.length} uploads survive; ${config.minSurvivors} needed`,
    );
  return { ...round, phase: 'confirm', survivors };
}
