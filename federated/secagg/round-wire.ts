/**
 * Wire schemas of an active-adversary round, shared by the coordinator and the shop (one
 * definition, both sides validate). Sizes are bounded so a hostile body cannot exhaust memory:
 * a neighbourhood holds at most 255 shops, a roster at most MAX_ROUND_SHOPS.
 */
import { z } from 'zod';
import { SECAGG_REFUSALS, SecAggError, utf8, wordsFromBytes } from './bytes.ts';
import type { MaskedInputMessage, MaskedUpload, MaskedUploadHeader } from './round-types.ts';
import { MAX_ROUND_SHOPS } from './round-protocol.ts';
import { MAX_SHAMIR_SHARES } from './shamir.ts';

const shopId = z.string().min(1).max(100);
export const key32 = z.string().length(44); // base64 of 32 bytes
const signature = z.string().length(88); // base64 of 64 bytes
const shareText = z.string().length(44); // base64 of 33 bytes
const neighbourhood = MAX_SHAMIR_SHARES;
const ids = (max: number) => z.array(shopId).max(max);

export const secAggParams = z.object({
  roundId: z.string().min(1).max(200),
  vectorLength: z.number().int().min(1).max(10_000_000),
  modulusBits: z.number().int().min(8).max(32),
  maxShops: z.number().int().min(2).max(MAX_ROUND_SHOPS),
  colluders: z.number().int().min(0).max(MAX_ROUND_SHOPS).nullable(),
  graph: z.enum(['auto', 'complete', 'secagg+']),
});

const advertisementFields = {
  shopId,
  maskKey: key32,
  shareKeysRoot: key32,
  shareKeyCount: z
    .number()
    .int()
    .min(1)
    .max(neighbourhood - 1),
  senderKey: key32,
  signature,
};

export const advertisementMessage = z.object({
  ...advertisementFields,
  shareKeys: z.array(key32).max(neighbourhood - 1),
});

export const rosterEntry = z.object({ ...advertisementFields, identityKey: key32 });

export const shareKeyFor = z.object({
  shopId,
  index: z.number().int().min(0).max(neighbourhood),
  key: key32,
  path: z.array(key32).max(16),
});

export const shareRecord = z.object({
  from: shopId,
  to: shopId,
  rosterHash: key32,
  keyIndex: z.number().int().min(0).max(neighbourhood),
  ciphertext: z.string().min(1).max(2048),
  selfMaskCommitment: key32,
  maskKeyCommitment: key32,
  signature,
});

export const shareKeysMessage = z.object({
  shopId,
  rosterHash: key32,
  seedCommitment: key32,
  ownCommitments: z.object({ selfMask: key32, maskKey: key32 }),
  shares: z.array(shareRecord).max(neighbourhood),
});

export const shareReport = z.object({
  reason: z.enum([
    'bad-signature',
    'wrong-key-index',
    'undecryptable',
    'bad-plaintext',
    'commitment-mismatch',
  ]),
  record: shareRecord,
  shareSecretKey: key32.nullable(),
});

export const maskedUploadHeader = z.object({
  shopId,
  maskedWith: ids(neighbourhood),
  reports: z.array(shareReport).max(neighbourhood),
});

/**
 * The masked upload travels as binary, not JSON: a 4-byte little-endian length, the JSON header,
 * then the vector's uint32 words little-endian. Base64 inside JSON cost the coordinator about
 * 10 ms of parsing, decoding and canonical re-encoding per 100,000-parameter upload.
 */
export function maskedUploadBody(message: MaskedInputMessage): Uint8Array {
  const header = utf8(
    JSON.stringify({
      shopId: message.shopId,
      maskedWith: message.maskedWith,
      reports: message.reports,
    }),
  );
  const words = Buffer.from(message.masked, 'base64');
  const body = new Uint8Array(4 + header.length + words.length);
  new DataView(body.buffer).setUint32(0, header.length, true);
  body.set(header, 4);
  body.set(words, 4 + header.length);
  return body;
}

export function parseMaskedUpload(body: Uint8Array, vectorLength: number): MaskedUpload {
  const fail = (why: string) => new SecAggError('malformed', `masked upload: ${why}`);
  if (body.length < 4) throw fail('too short');
  const length = new DataView(body.buffer, body.byteOffset, body.byteLength).getUint32(0, true);
  if (4 + length + 4 * vectorLength !== body.length) throw fail(`expected ${vectorLength} words`);
  let header: MaskedUploadHeader;
  try {
    header = maskedUploadHeader.parse(
      JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(body.subarray(4, 4 + length))),
    );
  } catch {
    throw fail('the header is not valid');
  }
  return { ...header, masked: wordsFromBytes(body.subarray(4 + length), vectorLength) };
}

/** A list of shop ids (survivors, or the shops dropped so far). */
export const shopIds = ids(MAX_ROUND_SHOPS);

export const confirmRequest = z.object({ survivors: shopIds });
export const confirmation = z.object({ shopId, signature });
export const unmaskRequest = z.object({
  survivors: ids(MAX_ROUND_SHOPS),
  confirmations: z.array(confirmation).max(MAX_ROUND_SHOPS),
});

const opening = z.object({ share: shareText, nonce: key32 });
const byShop = <T extends z.ZodType>(value: T) =>
  z.record(shopId, value).refine((m) => Object.keys(m).length <= neighbourhood);

export const unmaskMessage = z.object({
  shopId,
  selfMaskShares: byShop(opening),
  maskKeyShares: byShop(opening),
  pairwiseKeys: byShop(key32),
});

/** A shop's refusal of a round, as a code the app words and the dashboard shows. */
export const secAggRefusal = z.enum(SECAGG_REFUSALS);
