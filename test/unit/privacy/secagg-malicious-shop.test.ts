/**
 * Shops that misbehave, with real cryptography and no mocks: a bad share is reported with proof,
 * the coordinator checks the proof and drops the sender, and the round completes with the honest
 * survivors' sum. A lying reporter, a wrong share at unmasking and a revoked shop do not stop it
 * either. What no protocol here can stop — a masked input outside the valid range — is shown for
 * what it is: the round completes and that shop's contribution is whatever it chose.
 */
import { describe, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import { toBase64, wordsFromBase64, wordsToBase64 } from '../../../federated/secagg/bytes.ts';
import { generateX25519, signEd25519 } from '../../../federated/secagg/primitives.ts';
import { paramsDigest, recordBytes } from '../../../federated/secagg/round-protocol.ts';
import type { ShareRecord } from '../../../federated/secagg/round-types.ts';
import { newOpening, shamirSplit } from '../../../federated/secagg/shamir.ts';
import {
  revokeBeforeClose,
  runActiveRound,
  type Tamper,
} from '../../../simulation/secagg-round.ts';
import { inputsFor, params, plainSum, shops } from './active-harness.ts';

const N = 8;
const BAD = 'shop-003';
const VICTIM = 'shop-005';

async function round(make: (identities: ReturnType<typeof shops>, digest: string) => Tamper) {
  const identities = shops(N);
  const ids = identities.map((s) => s.shopId);
  const inputs = inputsFor(ids);
  const p = params(N);
  const run = await runActiveRound({
    params: p,
    shops: identities,
    inputOf: (id) => inputs.get(id)!,
    tamper: make(identities, paramsDigest(p)),
  });
  const honestSum = (survivors: string[]) =>
    plainSum(
      survivors.map((id) => inputs.get(id)!),
      6,
    );
  return { run, ids, inputs, honestSum };
}

/** The bad shop rewrites its record for the victim and signs the result with its own identity. */
function badRecord(change: (record: ShareRecord) => ShareRecord, resign = true) {
  return (identities: ReturnType<typeof shops>, digest: string): Tamper => ({
    shareMessage: (from, message) => {
      if (from !== BAD) return message;
      const secret = identities.find((s) => s.shopId === BAD)!.secretKey;
      return {
        ...message,
        shares: message.shares.map((r) => {
          if (r.to !== VICTIM) return r;
          const changed = change(r);
          return resign
            ? { ...changed, signature: signEd25519(secret, recordBytes(digest, changed)) }
            : changed;
        }),
      };
    },
  });
}

function expectBadShopDropped(result: Awaited<ReturnType<typeof round>>, reason: string) {
  const { run, ids, honestSum } = result;
  expect(run.round.convicted[BAD]).toBe(reason);
  expect(run.round.phase, JSON.stringify(run.round.failure)).toBe('done');
  expect(run.round.survivors).toEqual(ids.filter((id) => id !== BAD));
  expect(Array.from(run.sum!)).toEqual(Array.from(honestSum(run.round.survivors!)));
  expect(run.refusals.size).toBe(0);
}

describe('a misbehaving shop cannot stop a round', () => {
  it('garbage ciphertext, validly signed: reported with the one key it used, sender dropped', async () => {
    const result = await round(
      badRecord((r) => ({ ...r, ciphertext: toBase64(new Uint8Array(randomBytes(200))) })),
    );
    expectBadShopDropped(result, 'undecryptable');
    const report = result.run.transcript.uploads.get(VICTIM)!.reports[0]!;
    expect(report.record.from).toBe(BAD);
    expect(report.shareSecretKey).not.toBeNull();
  });

  it('garbage ciphertext under a broken signature: reported without revealing any key, sender dropped', async () => {
    const result = await round(
      badRecord(
        (r) => ({
          ...r,
          ciphertext: toBase64(new Uint8Array(randomBytes(200))),
          signature: r.signature.replace(/^./, (c) => (c === 'A' ? 'B' : 'A')),
        }),
        false,
      ),
    );
    expectBadShopDropped(result, 'bad-signature');
    const report = result.run.transcript.uploads.get(VICTIM)!.reports[0]!;
    expect(report.reason).toBe('bad-signature');
    expect(report.shareSecretKey).toBeNull();
  });

  it('a broken signature on a ciphertext that authenticates: the share is the sender’s own and is used', async () => {
    // Only the sender holds the secret of its signed sender key, so a record that decrypts and
    // matches its commitments came from it; the signature is needed only as proof of a failure.
    const result = await round(
      badRecord(
        (r) => ({ ...r, signature: r.signature.replace(/^./, (c) => (c === 'A' ? 'B' : 'A')) }),
        false,
      ),
    );
    const { run, ids, honestSum } = result;
    expect(run.round.convicted[BAD]).toBeUndefined();
    expect(run.transcript.uploads.get(VICTIM)!.reports).toEqual([]);
    expect(run.transcript.uploads.get(VICTIM)!.maskedWith).toContain(BAD);
    expect(run.round.phase, JSON.stringify(run.round.failure)).toBe('done');
    expect(run.round.survivors).toEqual(ids);
    expect(Array.from(run.sum!)).toEqual(Array.from(honestSum(ids)));
  });

  it('shares that do not match their commitments are proven; one aimed at another share key is refused at upload', async () => {
    const mismatch = await round(
      badRecord((r) => ({ ...r, selfMaskCommitment: toBase64(new Uint8Array(randomBytes(32))) })),
    );
    expect(mismatch.run.round.convicted[BAD]).toMatch(/undecryptable|commitment-mismatch/);
    expect(mismatch.run.round.phase).toBe('done');
    // A record aimed at another share key never reaches its recipient: the coordinator checks
    // key indices itself and refuses the whole share message, so the sender is a dropout.
    const index = await round(badRecord((r) => ({ ...r, keyIndex: (r.keyIndex + 1) % 7 })));
    expect(index.run.rejected.get(BAD)).toBe('malformed');
    expect(index.run.round.sharers).not.toContain(BAD);
    expect(index.run.round.phase).toBe('done');
    expect(index.run.round.survivors).toEqual(index.ids.filter((id) => id !== BAD));
    expect(Array.from(index.run.sum!)).toEqual(
      Array.from(index.honestSum(index.run.round.survivors!)),
    );
  });

  it('a false report is refused and costs the liar its upload, not the accused', async () => {
    const liar = 'shop-006';
    const result = await round(() => ({
      maskedInput: (from, message) => {
        if (from !== liar) return message;
        const state = result0.get(liar)!;
        const victimRecord = state.records.find((r) => r.from === 'shop-001')!;
        return {
          ...message,
          reports: [
            {
              reason: 'undecryptable',
              record: victimRecord,
              shareSecretKey: generateX25519().secretKey,
            },
          ],
          maskedWith: message.maskedWith.filter((v) => v !== 'shop-001'),
        };
      },
      records: (to, records) => {
        result0.set(to, { records });
        return records;
      },
    }));
    const { run, ids, honestSum } = result;
    expect(run.rejected.get(liar)).toBe('report-unfounded');
    expect(run.round.convicted['shop-001']).toBeUndefined();
    expect(run.round.phase, JSON.stringify(run.round.failure)).toBe('done');
    expect(run.round.survivors).toEqual(ids.filter((id) => id !== liar));
    expect(Array.from(run.sum!)).toEqual(Array.from(honestSum(run.round.survivors!)));
  });

  it('a wrong share at unmasking is detected by its commitment and another holder’s is used', async () => {
    const result = await round(() => ({
      unmaskMessage: (from, message) => {
        if (from !== BAD) return message;
        const forged = shamirSplit(new Uint8Array(32), 3, 2)[0]!;
        const selfMaskShares = Object.fromEntries(
          Object.keys(message.selfMaskShares).map((owner) => [owner, newOpening(forged)]),
        );
        return { ...message, selfMaskShares };
      },
    }));
    const { run, ids, honestSum } = result;
    expect(run.round.phase, JSON.stringify(run.round.failure)).toBe('done');
    expect(run.wrongShares).toBeGreaterThan(0);
    expect(Array.from(run.sum!)).toEqual(Array.from(honestSum(ids)));
  });

  it('a shop revoked mid-round is a dropout: its upload is not summed', async () => {
    const result = await round(() => ({ beforeCloseCollect: revokeBeforeClose(BAD) }));
    const { run, ids, honestSum } = result;
    expect(run.round.excluded[BAD]).toBe('revoked');
    expect(run.round.phase, JSON.stringify(run.round.failure)).toBe('done');
    expect(run.round.survivors).toEqual(ids.filter((id) => id !== BAD));
    expect(Array.from(run.sum!)).toEqual(Array.from(honestSum(run.round.survivors!)));
  });

  it('a masked input outside the valid range goes undetected: the sum carries whatever that shop chose', async () => {
    // The mask makes every upload look uniformly random, so nothing in the ring can tell; the
    // bound is the aggregate check on the decoded sum (docs/privacy.md), not the protocol.
    const offset = 0x40000000;
    const result = await round(() => ({
      maskedInput: (from, message) => {
        if (from !== BAD) return message;
        const words = wordsFromBase64(message.masked, 6);
        return { ...message, masked: wordsToBase64(words.map((w) => (w + offset) >>> 0)) };
      },
    }));
    const { run, ids, honestSum } = result;
    expect(run.round.phase).toBe('done');
    const honest = honestSum(ids);
    expect(Array.from(run.sum!)).toEqual(Array.from(honest, (w) => (w + offset) >>> 0));
  });
});

const result0 = new Map<string, { records: ShareRecord[] }>();
