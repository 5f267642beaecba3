/**
 * Where a share record comes from, now that recipients check the sender's signature only when a
 * record fails: a record the coordinator makes up in an honest sender's name cannot authenticate
 * (the cipher key needs the secret of the sender's signed sender key, or the recipient's own), so
 * the recipient reports it as unsigned and reveals no key, exactly as before.
 */
import { describe, expect, it } from 'vitest';
import { utf8 } from '../../../federated/secagg/bytes.ts';
import { agree, generateX25519, randomSecret, seal } from '../../../federated/secagg/primitives.ts';
import {
  paramsDigest,
  recordBytes,
  shareCipherKey,
} from '../../../federated/secagg/round-protocol.ts';
import type { MaskedInputMessage, ShareRecord } from '../../../federated/secagg/round-types.ts';
import { newOpening, shamirSplit, shareCommitment } from '../../../federated/secagg/shamir.ts';
import { runActiveRound } from '../../../simulation/secagg-round.ts';
import { inputsFor, params, plainSum, shops } from './active-harness.ts';

const N = 8;
const SENDER = 'shop-004';
const VICTIM = 'shop-000';

describe('a share record forged by the coordinator', () => {
  it('does not open: the recipient reports it unsigned, reveals no key and never masks with it', async () => {
    const identities = shops(N);
    const ids = identities.map((s) => s.shopId);
    const inputs = inputsFor(ids);
    const p = params(N, { roundId: 'forged-share' });
    const digest = paramsDigest(p);
    // The coordinator's own key pair stands in for the sender's sender key it does not have.
    const forger = generateX25519();
    let victimShareKeys: string[] = [];
    let sent: MaskedInputMessage | null = null;
    const forge = (genuine: ShareRecord): ShareRecord => {
      const bundle = {
        selfMask: newOpening(shamirSplit(randomSecret(), 3, 2)[0]!),
        maskKey: newOpening(shamirSplit(randomSecret(), 3, 2)[0]!),
      };
      const base = {
        from: genuine.from,
        to: genuine.to,
        rosterHash: genuine.rosterHash,
        keyIndex: genuine.keyIndex,
        selfMaskCommitment: shareCommitment(digest, 'self-mask', SENDER, VICTIM, bundle.selfMask),
        maskKeyCommitment: shareCommitment(digest, 'mask-key', SENDER, VICTIM, bundle.maskKey),
      };
      const key = shareCipherKey(
        digest,
        agree(forger.secretKey, victimShareKeys[genuine.keyIndex]!),
        base,
      );
      const plaintext = utf8(JSON.stringify({ from: SENDER, to: VICTIM, ...bundle }));
      // Every field is what the victim expects; only the sender could have signed it.
      return {
        ...base,
        ciphertext: seal(key, plaintext, recordBytes(digest, base)),
        signature: genuine.signature,
      };
    };
    const run = await runActiveRound({
      params: p,
      shops: identities,
      inputOf: (id) => inputs.get(id)!,
      tamper: {
        onState: (id, state) => {
          if (id === VICTIM) victimShareKeys = state.advertisement.shareKeys;
        },
        records: (to, records) =>
          to === VICTIM ? records.map((r) => (r.from === SENDER ? forge(r) : r)) : records,
        maskedInput: (from, message) => {
          if (from === VICTIM) sent = message;
          return message;
        },
      },
    });
    const upload = sent as MaskedInputMessage | null;
    expect(upload?.reports).toHaveLength(1);
    expect(upload?.reports[0]!.reason).toBe('bad-signature');
    expect(upload?.reports[0]!.shareSecretKey).toBeNull();
    expect(upload?.maskedWith).not.toContain(SENDER);
    // The honest coordinator of the harness holds the sender's real record, so the report does
    // not match it: the victim is out of the round, and the others' sum is exact.
    expect(run.rejected.get(VICTIM)).toBe('report-unfounded');
    expect(run.round.phase).toBe('done');
    expect(run.round.survivors).toEqual(ids.filter((id) => id !== VICTIM));
    expect(Array.from(run.sum!)).toEqual(
      Array.from(
        plainSum(
          run.round.survivors!.map((id) => inputs.get(id)!),
          6,
        ),
      ),
    );
  });
});
