/**
 * Checking a shop's report that a neighbour sent it a bad share. The coordinator judges against
 * what the accused itself uploaded (its signed record, as stored) and, where decryption is in
 * question, the one share key the reporter dedicated to that sender — which it checks against the
 * key the reporter advertised. A report either proves the sender misbehaved, or it is refused and
 * the reporter's upload with it.
 */
import { SecAggError } from './bytes.ts';
import { agree, isX25519Pair, open, verifyEd25519 } from './primitives.ts';
import { recordBytes, shareCipherKey, type RoundGraph } from './round-protocol.ts';
import type {
  AdvertisementMessage,
  ServerRound,
  ShareKeysMessage,
  ShareRecord,
  ShareReport,
} from './round-types.ts';
import { SHARE_BYTES, shareCommitment, type ShareOpening } from './shamir.ts';

export type ReportContext = {
  messageOf: (id: string) => ShareKeysMessage | undefined;
  advertOf: (id: string) => AdvertisementMessage | undefined;
};

const sameRecord = (a: ShareRecord, b: ShareRecord) =>
  (Object.keys(b) as (keyof ShareRecord)[]).every((k) => a[k] === b[k]) &&
  Object.keys(a).length === Object.keys(b).length;

function opening(value: unknown): value is ShareOpening {
  if (typeof value !== 'object' || value === null) return false;
  const o = value as Record<string, unknown>;
  return (
    typeof o.share === 'string' &&
    typeof o.nonce === 'string' &&
    Buffer.from(o.share, 'base64').length === SHARE_BYTES &&
    Buffer.from(o.nonce, 'base64').length === 32
  );
}

/** What is actually wrong with a record, judged with the recipient's revealed share key. */
function contentFault(
  round: ServerRound,
  reporter: string,
  record: ShareRecord,
  secret: string,
  advertisedKey: string,
): string | null {
  const digest = round.paramsDigest;
  const sender = round.roster!.find((e) => e.shopId === record.from)!;
  let plain: Uint8Array;
  try {
    const key = shareCipherKey(digest, agree(secret, sender.senderKey, advertisedKey), record);
    plain = open(key, record.ciphertext, recordBytes(digest, { ...record, ciphertext: undefined }));
  } catch {
    return 'undecryptable';
  }
  let parsed: Record<string, unknown>;
  try {
    parsed = JSON.parse(new TextDecoder().decode(plain)) as Record<string, unknown>;
  } catch {
    return 'bad-plaintext';
  }
  if (
    parsed.from !== record.from ||
    parsed.to !== reporter ||
    !opening(parsed.selfMask) ||
    !opening(parsed.maskKey)
  )
    return 'bad-plaintext';
  if (
    shareCommitment(digest, 'self-mask', record.from, reporter, parsed.selfMask) !==
      record.selfMaskCommitment ||
    shareCommitment(digest, 'mask-key', record.from, reporter, parsed.maskKey) !==
      record.maskKeyCommitment
  )
    return 'commitment-mismatch';
  return null;
}

/** The verified reason to drop the accused, or a 'report-unfounded' refusal. */
export function verifyReport(
  round: ServerRound,
  graph: RoundGraph,
  reporter: string,
  report: ShareReport,
  context: ReportContext,
): string {
  const record = report.record;
  const unfounded = (why: string) =>
    new SecAggError('report-unfounded', `report about ${record.from}: ${why}`);
  const stored = graph.neighbours(reporter).includes(record.from)
    ? context.messageOf(record.from)?.shares[graph.keyIndex(record.from, reporter)]
    : undefined;
  if (!stored || record.to !== reporter || !sameRecord(stored, record))
    throw unfounded('the record is not what the sender uploaded');
  const accused = round.roster!.find((e) => e.shopId === record.from)!;
  if (
    !verifyEd25519(accused.identityKey, recordBytes(round.paramsDigest, record), record.signature)
  ) {
    if (report.reason !== 'bad-signature')
      throw unfounded('the signature, not the content, is wrong');
    return 'bad-signature';
  }
  if (report.reason === 'bad-signature') throw unfounded('the signature is valid');
  if (record.keyIndex !== graph.keyIndex(reporter, record.from)) {
    if (report.reason !== 'wrong-key-index')
      throw unfounded('the key index, not the content, is wrong');
    return 'wrong-key-index';
  }
  if (report.reason === 'wrong-key-index') throw unfounded('the key index is right');
  const secret = report.shareSecretKey;
  const advertised = context.advertOf(reporter)?.shareKeys[record.keyIndex];
  if (!secret || !advertised || !isX25519Pair(secret, advertised))
    throw unfounded('the revealed share key is not the one advertised');
  const fault = contentFault(round, reporter, record, secret, advertised);
  if (!fault) throw unfounded('the share decrypts and matches its commitments');
  return fault;
}
