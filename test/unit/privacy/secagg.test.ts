import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import * as S from '../../../federated/secagg/index.ts';
import { neighbourhoods } from '../../../federated/secagg/protocol.ts';
import { advertisedRound, plainSum, runRound, shopIds } from './round-harness.ts';

const ringWord = (bits: number) =>
  fc.integer({ min: 0, max: bits === 32 ? 0xffffffff : 2 ** bits - 1 });

describe('secure aggregation round', () => {
  it('recovers exactly the plain sum of the survivors for any dropout pattern', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc
          .record({
            n: fc.integer({ min: 3, max: 8 }),
            length: fc.integer({ min: 1, max: 12 }),
            bits: fc.constantFrom(16, 24, 32),
            seed: fc.integer(),
          })
          .chain(({ n, length, bits }) =>
            fc.record({
              n: fc.constant(n),
              length: fc.constant(length),
              bits: fc.constant(bits),
              threshold: fc.integer({ min: 2, max: n }),
              inputs: fc.array(fc.array(ringWord(bits), { minLength: length, maxLength: length }), {
                minLength: n,
                maxLength: n,
              }),
              // phase at which each shop drops: 0 never, 1 after advertise, 2 after share, 3 after upload
              drops: fc.array(fc.integer({ min: 0, max: 3 }), { minLength: n, maxLength: n }),
            }),
          ),
        async ({ n, length, bits, threshold, inputs, drops }) => {
          const ids = shopIds(n);
          const params = { roundId: 'prop', threshold, vectorLength: length, modulusBits: bits };
          const vectors = Object.fromEntries(
            ids.map((id, i) => [id, Uint32Array.from(inputs[i]!)]),
          );
          const at = (phase: number) => ids.filter((_, i) => drops[i] === phase);
          const outcome = await runRound(params, vectors, {
            afterAdvertise: at(1),
            afterShare: at(2),
            afterUpload: at(3),
          });
          const sharers = n - at(1).length;
          const uploaders = sharers - at(2).length;
          const helpers = uploaders - at(3).length;
          const enough = sharers >= threshold && uploaders >= threshold && helpers >= threshold;
          if (!enough) {
            expect(outcome.server.phase).toBe('failed');
            expect(outcome.server.failure).toMatch(/needed/);
            expect(outcome.server.sum).toBeUndefined();
            return;
          }
          expect(outcome.refusals).toEqual([]);
          expect(outcome.server.phase).toBe('done');
          // Survivors are exactly those that uploaded, including those that vanished afterwards.
          expect(outcome.included).toEqual(ids.filter((_, i) => drops[i] === 0 || drops[i] === 3));
          const expected = plainSum(
            outcome.included.map((id) => vectors[id]!),
            length,
            bits,
          );
          expect(Array.from(outcome.sum!)).toEqual(Array.from(expected));
        },
      ),
      { numRuns: 40, seed: 20261127 },
    );
  });

  it('ten shops, 30 % dropping at each phase in turn: completes with t = 7, fails with t = 8', async () => {
    const ids = shopIds(10);
    const vectors = Object.fromEntries(
      ids.map((id, i) => [id, Uint32Array.from([i, 2 * i, 1000])]),
    );
    const three = ids.slice(0, 3);
    for (const phase of ['afterAdvertise', 'afterShare', 'afterUpload'] as const) {
      const ok = await runRound(
        { roundId: `ok-${phase}`, threshold: 7, vectorLength: 3, modulusBits: 32 },
        vectors,
        {
          [phase]: three,
        },
      );
      expect(ok.server.phase, phase).toBe('done');
      const expectedIds = phase === 'afterUpload' ? ids : ids.slice(3);
      expect(Array.from(ok.sum!)).toEqual(
        Array.from(
          plainSum(
            expectedIds.map((id) => vectors[id]!),
            3,
            32,
          ),
        ),
      );

      const tooFew = await runRound(
        { roundId: `fail-${phase}`, threshold: 8, vectorLength: 3, modulusBits: 32 },
        vectors,
        {
          [phase]: three,
        },
      );
      expect(tooFew.server.phase, phase).toBe('failed');
    }
    const beforeAdvertise = await runRound(
      { roundId: 'none', threshold: 8, vectorLength: 3, modulusBits: 32 },
      vectors,
      {
        beforeAdvertise: three,
      },
    );
    expect(beforeAdvertise.server.failure).toMatch(/only 7 shops advertised keys; 8 needed/);
  });
});

describe('SecAgg+ sparse neighbourhoods (Bell et al. 2020)', () => {
  it('the graph is symmetric, k-regular, and fixed by the round', () => {
    const ids = shopIds(11);
    const params = { roundId: 'g', threshold: 3, vectorLength: 1, modulusBits: 32, neighbours: 4 };
    const digest = S.paramsDigest(params);
    const graph = neighbourhoods(params, digest, ids);
    for (const [id, near] of graph) {
      expect(near.size).toBe(4);
      expect(near.has(id)).toBe(false);
      for (const other of near) expect(graph.get(other)!.has(id)).toBe(true);
    }
    const again = neighbourhoods(params, digest, [...ids].reverse());
    for (const id of ids) expect([...again.get(id)!].sort()).toEqual([...graph.get(id)!].sort());
    const other = neighbourhoods(
      { ...params, roundId: 'h' },
      S.paramsDigest({ ...params, roundId: 'h' }),
      ids,
    );
    expect(
      ids.some((id) => [...other.get(id)!].sort().join() !== [...graph.get(id)!].sort().join()),
    ).toBe(true);
    expect(() => S.paramsDigest({ ...params, neighbours: 3 })).toThrow(/even/);
    expect(() => S.paramsDigest({ ...params, threshold: 6 })).toThrow(/neighbours \+ 1/);
  });

  it('whenever a sparse round completes, it recovers exactly the sum of the uploads', async () => {
    let completed = 0;
    await fc.assert(
      fc.asyncProperty(
        fc
          .record({ n: fc.integer({ min: 5, max: 11 }), k: fc.constantFrom(2, 4) })
          .chain(({ n, k }) =>
            fc.record({
              n: fc.constant(n),
              k: fc.constant(k),
              threshold: fc.integer({ min: 2, max: k + 1 }),
              inputs: fc.array(fc.array(ringWord(32), { minLength: 3, maxLength: 3 }), {
                minLength: n,
                maxLength: n,
              }),
              drops: fc.array(fc.constantFrom(0, 0, 0, 0, 0, 1, 2, 3), {
                minLength: n,
                maxLength: n,
              }),
            }),
          ),
        async ({ n, k, threshold, inputs, drops }) => {
          const ids = shopIds(n);
          const params = {
            roundId: 'sparse',
            threshold,
            vectorLength: 3,
            modulusBits: 32,
            neighbours: k,
          };
          const vectors = Object.fromEntries(
            ids.map((id, i) => [id, Uint32Array.from(inputs[i]!)]),
          );
          const at = (phase: number) => ids.filter((_, i) => drops[i] === phase);
          const outcome = await runRound(params, vectors, {
            afterAdvertise: at(1),
            afterShare: at(2),
            afterUpload: at(3),
          });
          if (drops.every((d) => d === 0)) expect(outcome.server.phase).toBe('done');
          if (outcome.server.phase !== 'done') {
            expect(outcome.server.phase).toBe('failed');
            return;
          }
          completed++;
          const expected = plainSum(
            outcome.included.map((id) => vectors[id]!),
            3,
            32,
          );
          expect(Array.from(outcome.sum!)).toEqual(Array.from(expected));
        },
      ),
      { numRuns: 40, seed: 2020 },
    );
    expect(completed).toBeGreaterThan(10);
  });

  it('each shop sends shares to its k neighbours only', async () => {
    const ids = shopIds(9);
    const params = {
      roundId: 'few',
      threshold: 3,
      vectorLength: 2,
      modulusBits: 32,
      neighbours: 4,
    };
    const { clients: states, server } = advertisedRound(params, ids.length);
    const step = await S.shareKeys(states[0]!, S.roster(server));
    expect(step.message.shares).toHaveLength(4);
    const full = await S.shareKeys(states[1]!, S.roster(server));
    expect(() =>
      S.acceptShareKeys(server, { ...full.message, shares: full.message.shares.slice(1) }),
    ).toThrow(/one share per neighbour/);
  });
});

describe('protocol refusals', () => {
  const params = { roundId: 'r', threshold: 3, vectorLength: 4, modulusBits: 32 };
  const setup = async (n = 4) => advertisedRound(params, n);

  it('refuses an advertisement not signed by the enrolled identity, and a second different one', async () => {
    const identity = S.createShopIdentity('shop-00');
    const impostor = S.createShopIdentity('shop-00');
    const server = S.createServerRound(params, { 'shop-00': identity.publicKey });
    const forged = S.advertiseKeys(impostor, params).message;
    expect(() => S.acceptAdvertisement(server, forged)).toThrow(/bad signature/);
    const first = S.advertiseKeys(identity, params).message;
    const accepted = S.acceptAdvertisement(server, first);
    expect(S.acceptAdvertisement(accepted, first)).toBe(accepted);
    expect(() =>
      S.acceptAdvertisement(accepted, S.advertiseKeys(identity, params).message),
    ).toThrow(/already advertised/);
    const other = S.createShopIdentity('shop-99');
    expect(() => S.acceptAdvertisement(accepted, S.advertiseKeys(other, params).message)).toThrow(
      /not enrolled/,
    );
  });

  it('a shop refuses a roster with a tampered key or signed for other parameters', async () => {
    const { server, clients } = await setup();
    const roster = S.roster(server);
    const tampered = roster.map((e, i) =>
      i === 1 ? { ...e, sPublicKey: roster[2]!.cPublicKey } : e,
    );
    await expect(S.shareKeys(clients[0]!, tampered)).rejects.toThrow(/reuses a key|not signed/);
    const swapped = roster.map((e, i) =>
      i === 1 ? { ...e, identityKey: roster[2]!.identityKey } : e,
    );
    await expect(S.shareKeys(clients[0]!, swapped)).rejects.toThrow(/not signed by its identity/);
    await expect(S.shareKeys(clients[0]!, roster.slice(0, 2))).rejects.toThrow(/threshold/);
    const otherRound = S.advertiseKeys(S.createShopIdentity('x'), { ...params, threshold: 2 });
    await expect(S.shareKeys(otherRound.state, roster)).rejects.toThrow();
  });

  it('never reveals both secrets of one shop, and refuses a second, different unmask request', async () => {
    const { ids, server: s0, clients } = await setup();
    let server = s0;
    const states = [...clients];
    for (let i = 0; i < 4; i++) {
      const step = await S.shareKeys(states[i]!, S.roster(server));
      states[i] = step.state;
      server = S.acceptShareKeys(server, step.message);
    }
    server = S.closePhase(server);
    for (let i = 0; i < 3; i++) {
      const step = S.maskedInput(states[i]!, S.routeShares(server, ids[i]!), new Uint32Array(4));
      states[i] = step.state;
      server = S.acceptMaskedInput(server, step.message);
    }
    // Uploads are idempotent: a retry resends the identical vector even with another input.
    const retry = S.maskedInput(
      states[0]!,
      S.routeShares(server, ids[0]!),
      Uint32Array.from([9, 9, 9, 9]),
    );
    expect(S.acceptMaskedInput(server, retry.message)).toBe(server);
    // Too late: shop 3 tries to upload after the upload phase closed.
    server = S.closePhase(server);
    expect(() =>
      S.acceptMaskedInput(server, { shopId: ids[3]!, masked: S.wordsToBase64(new Uint32Array(4)) }),
    ).toThrow(/phase unmask/);
    expect(() =>
      S.unmaskResponse(states[0]!, {
        survivors: [ids[0]!, ids[1]!, ids[2]!, ids[3]!],
        dropped: [ids[3]!],
      }),
    ).toThrow(/both survivor and dropped/);
    const honest = S.unmaskRequest(server);
    const answer = S.unmaskResponse(states[0]!, honest);
    expect(Object.keys(answer.message.selfMaskShares).sort()).toEqual(ids.slice(0, 3));
    expect(Object.keys(answer.message.pairwiseKeyShares)).toEqual([ids[3]]);
    // After answering, secrets are wiped and a different partition is refused.
    expect(answer.state.selfMaskSeed).toBe('');
    expect(answer.state.sKeys.secretKey).toBe('');
    expect(() =>
      S.unmaskResponse(answer.state, { survivors: ids.slice(0, 4), dropped: [] }),
    ).toThrow(/different unmask request/);
    expect(S.unmaskResponse(answer.state, honest).message).toEqual(answer.message);
  });

  it('a corrupted share makes reconstruction fail cleanly instead of returning a wrong sum', async () => {
    const { ids, server: s0, clients } = await setup(3);
    let server = s0;
    const states = [...clients];
    for (let i = 0; i < 3; i++) {
      const step = await S.shareKeys(states[i]!, S.roster(server));
      states[i] = step.state;
      server = S.acceptShareKeys(server, step.message);
    }
    server = S.closePhase(server);
    for (let i = 0; i < 3; i++) {
      const step = S.maskedInput(states[i]!, S.routeShares(server, ids[i]!), new Uint32Array(4));
      states[i] = step.state;
      server = S.acceptMaskedInput(server, step.message);
    }
    server = S.closePhase(server);
    for (let i = 0; i < 3; i++) {
      const { message } = S.unmaskResponse(states[i]!, S.unmaskRequest(server));
      if (i === 0) {
        const bytes = S.fromBase64(message.selfMaskShares[ids[1]!]!);
        bytes[0] = bytes[0]! ^ 1;
        message.selfMaskShares[ids[1]!] = S.toBase64(bytes);
      }
      server = S.acceptUnmask(server, message);
    }
    const done = await S.recoverSum(server);
    expect(done.phase).toBe('failed');
    expect(done.failure).toMatch(/did not reconstruct/);
  });

  it('a share ciphertext bound to another recipient does not decrypt', async () => {
    const { ids, server: s0, clients } = await setup(3);
    let server = s0;
    const states = [...clients];
    for (let i = 0; i < 3; i++) {
      const step = await S.shareKeys(states[i]!, S.roster(server));
      states[i] = step.state;
      server = S.acceptShareKeys(server, step.message);
    }
    server = S.closePhase(server);
    const forOne = S.routeShares(server, ids[1]!);
    const redirected = forOne.map((s) => ({ ...s, to: ids[0]! })).filter((s) => s.from !== ids[0]);
    expect(() => S.maskedInput(states[0]!, redirected, new Uint32Array(4))).toThrow(
      /failed authentication/,
    );
  });
});
