/**
 * Honest active-adversary rounds: whatever the dropout pattern, a round that completes recovers
 * exactly the plain sum of its survivors, and it completes exactly when the thresholds allow.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { minimumThreshold } from '../../../federated/secagg/round-config.ts';
import { advertiseKeys, maskedInput, shareKeys } from '../../../federated/secagg/shop-round.ts';
import { confirmSurvivors, unmaskResponse } from '../../../federated/secagg/shop-unmask.ts';
import { runActiveRound, type Drops } from '../../../simulation/secagg-round.ts';
import { inputsFor, params, plainSum, shops } from './active-harness.ts';

describe('active-adversary SecAgg, honest parties', () => {
  it('recovers exactly the survivors’ sum for any dropout pattern, and fails only below threshold', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 3, max: 8 }).chain((n) =>
          fc.record({
            n: fc.constant(n),
            // 0 stays; 1..5 drops after advertise, share, upload, confirm, never answers
            drops: fc.array(fc.constantFrom(0, 0, 0, 1, 2, 3, 4), { minLength: n, maxLength: n }),
          }),
        ),
        async ({ n, drops }) => {
          const identities = shops(n);
          const ids = identities.map((s) => s.shopId);
          const inputs = inputsFor(ids);
          const at = (phase: number) => ids.filter((_, i) => drops[i] === phase);
          const plan: Drops = {
            afterAdvertise: at(1),
            afterShare: at(2),
            afterUpload: at(3),
            afterConfirm: at(4),
          };
          const run = await runActiveRound({
            params: params(n),
            shops: identities,
            inputOf: (id) => inputs.get(id)!,
            drops: plan,
          });
          const T = minimumThreshold(n);
          const t = Math.max(T, Math.floor(n / 3) + 2);
          const sharers = n - at(1).length;
          const uploaders = sharers - at(2).length;
          const confirmers = uploaders - at(3).length;
          const answerers = confirmers - at(4).length;
          const completes = sharers >= t && uploaders >= t && confirmers >= T && answerers >= t;
          expect(run.round.phase, JSON.stringify({ n, drops, failure: run.round.failure })).toBe(
            completes ? 'done' : 'failed',
          );
          if (!completes) return;
          const survivors = ids.filter((_, i) => drops[i] === 0 || drops[i]! >= 3);
          expect(run.round.survivors).toEqual(survivors);
          expect(Array.from(run.sum!)).toEqual(
            Array.from(
              plainSum(
                survivors.map((id) => inputs.get(id)!),
                6,
              ),
            ),
          );
          expect(run.refusals.size).toBe(0);
        },
      ),
      { numRuns: 25, seed: 20261130 },
    );
  });

  it('runs SecAgg+ neighbourhoods, dropouts at every phase included, to the exact sum', async () => {
    const n = 104;
    const identities = shops(n);
    const ids = identities.map((s) => s.shopId);
    const inputs = inputsFor(ids, 3);
    const every = (k: number, offset: number) => ids.filter((_, i) => i % k === offset);
    const run = await runActiveRound({
      params: params(n, { vectorLength: 3, colluders: 5 }),
      shops: identities,
      inputOf: (id) => inputs.get(id)!,
      drops: {
        afterAdvertise: every(25, 1),
        afterShare: every(25, 2),
        afterUpload: every(10, 3),
        afterConfirm: every(25, 4),
      },
    });
    expect(run.round.config!.graph).toBe('secagg+');
    expect(run.round.config!.neighbours).toBeLessThan(n - 1);
    expect(run.round.phase, JSON.stringify(run.round.failure)).toBe('done');
    const survivors = run.round.survivors!;
    expect(survivors).toHaveLength(n - 2 * 5);
    expect(Array.from(run.sum!)).toEqual(
      Array.from(
        plainSum(
          survivors.map((id) => inputs.get(id)!),
          3,
        ),
      ),
    );
  });

  it('resumes from its persisted state at every step and resends byte-identical messages', async () => {
    const n = 4;
    const identities = shops(n);
    const p = params(n);
    const states = identities.map((s) => JSON.parse(JSON.stringify(advertiseKeys(s, p).state)));
    // Steps driven by hand would repeat the driver; here only retry semantics are checked.
    const run = await runActiveRound({
      params: p,
      shops: identities,
      inputOf: () => new Uint32Array(6),
      tamper: {
        onState: (id, state) => {
          const i = identities.findIndex((s) => s.shopId === id);
          states[i] = JSON.parse(JSON.stringify(state));
        },
      },
    });
    expect(run.round.phase).toBe('done');
    const s0 = states[0]!;
    expect(s0.phase).toBe('unmasked');
    const request = { survivors: run.round.survivors!, confirmations: run.round.confirmations! };
    expect(unmaskResponse(s0, request).message).toEqual(s0.unmaskMessage);
    expect(
      confirmSurvivors(s0, identities[0]!, { survivors: run.round.survivors! }).message,
    ).toEqual(s0.confirmed!.confirmation);
    expect(maskedInput(s0, [], [], new Uint32Array(6).fill(9)).message).toEqual(s0.maskedInput);
    expect((await shareKeys(s0, identities[0]!, [], [])).message).toEqual(s0.shareMessage);
    // Secrets are gone once the round is over for this shop.
    expect(s0.maskKeys.secretKey).toBe('');
    expect(s0.shareKeySecrets).toEqual([]);
    expect(s0.heldShares).toEqual({});
  });
});
