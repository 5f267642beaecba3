/**
 * A coordinator that lies, with real cryptography and no mocks. For each attack, every honest
 * shop refuses or the attacker learns nothing beyond the sum — checked by actually trying to
 * rebuild the victim's vector from everything the coordinator (and its colluding shops) collected.
 */
import { describe, expect, it } from 'vitest';
import {
  RoundGraph,
  confirmBytes,
  paramsDigest,
  recordBytes,
} from '../../../federated/secagg/round-protocol.ts';
import { roundConfig } from '../../../federated/secagg/round-config.ts';
import { generateX25519, sha256, signEd25519 } from '../../../federated/secagg/primitives.ts';
import { utf8 } from '../../../federated/secagg/bytes.ts';
import type {
  ClientState,
  MaskedInputMessage,
  UnmaskRequest,
} from '../../../federated/secagg/round-types.ts';
import { confirmSurvivors, unmaskResponse } from '../../../federated/secagg/shop-unmask.ts';
import { runActiveRound, type Tamper } from '../../../simulation/secagg-round.ts';
import {
  attackerRebuilds,
  inputsFor,
  params,
  plainSum,
  sameVector,
  shops,
} from './active-harness.ts';

const N = 10;

function refusalOf(work: () => unknown): string | null {
  try {
    work();
    return null;
  } catch (error) {
    return (error as { code?: string }).code ?? String(error);
  }
}

/** Runs a 10-shop round (victim shop-000) under `tamper`, keeping colluders' knowledge. */
async function attacked(
  make: Tamper | ((identities: ReturnType<typeof shops>) => Tamper),
  options: { colluders?: string[]; n?: number; roundId?: string } = {},
) {
  const identities = shops(options.n ?? N);
  const tamper = typeof make === 'function' ? make(identities) : make;
  const ids = identities.map((s) => s.shopId);
  const inputs = inputsFor(ids);
  const known = new Map<string, ClientState>();
  const colluding = new Set(options.colluders ?? []);
  const run = await runActiveRound({
    params: params(ids.length, { roundId: options.roundId ?? 'attacked' }),
    shops: identities,
    inputOf: (id) => inputs.get(id)!,
    tamper: {
      ...tamper,
      onState: (id, state) => {
        if (colluding.has(id) && state.phase === 'masked') known.set(id, state);
        tamper.onState?.(id, state);
      },
    },
  });
  const victim = ids[0]!;
  const rebuilt = attackerRebuilds(run, victim, [...known.values()]);
  return { run, ids, inputs, victim, rebuilt, honest: ids.filter((id) => !colluding.has(id)) };
}

/** Split view: the victim and group A are told the victim survived, group B that it dropped. */
function splitView(groupB: string[]): Tamper {
  const victim = 'shop-000';
  return {
    confirmRequest: (id, request) => ({
      survivors: groupB.includes(id)
        ? request.survivors.filter((s) => s !== victim)
        : request.survivors,
    }),
  };
}

describe('a lying coordinator', () => {
  it('split view of the survivors (the 10-shop attack): nobody answers, the victim stays hidden', async () => {
    // Thresholds 2 and 4 are what the old protocol let the coordinator pick; here it can only
    // claim them by sending that few signatures. Default: it forwards all it has.
    const groupB = ['shop-006', 'shop-007', 'shop-008', 'shop-009'];
    const { run, victim, rebuilt, inputs } = await attacked(splitView(groupB));
    // The coordinator's own code stops here: fewer than T shops signed the set it announced.
    expect(run.round.phase).toBe('failed');
    expect(run.round.failure?.code).toBe('below-threshold');
    // A lying coordinator sends the unmask requests anyway, each group its own set with every
    // signature gathered over it (or only `claimed` of them): every shop refuses.
    const bySet = new Map<string, { shopId: string; signature: string }[]>();
    for (const state of run.clients.values()) {
      if (!state.confirmed) continue;
      const key = state.confirmed.survivors.join();
      bySet.set(key, [...(bySet.get(key) ?? []), state.confirmed.confirmation]);
    }
    expect(bySet.size).toBe(2);
    for (const claimed of [2, 4, null])
      for (const [id, state] of run.clients) {
        const survivors = state.confirmed!.survivors;
        const over = bySet.get(survivors.join())!;
        const request = {
          survivors,
          confirmations: claimed === null ? over : over.slice(0, claimed),
        };
        expect(
          refusalOf(() => unmaskResponse(state, request)),
          `${id} with ${claimed}`,
        ).toBe('confirmations-insufficient');
      }
    expect(run.transcript.answers).toHaveLength(0);
    expect(rebuilt).toBeNull();
    expect(sameVector(rebuilt, inputs.get(victim)!)).toBe(false);
  });

  it('split view with colluding shops signing both sets: one set at most reaches T, never both secrets', async () => {
    // c = 3 colluders sign whatever helps; the 7 honest shops are split between the two sets.
    const colluders = ['shop-001', 'shop-002', 'shop-003'];
    const honestOthers = ['shop-004', 'shop-005', 'shop-006', 'shop-007', 'shop-008', 'shop-009'];
    const victim = 'shop-000';
    for (const sizeB of [2, 3, 4]) {
      const groupB = honestOthers.slice(0, sizeB);
      const signatures = new Map<string, { shopId: string; signature: string }[]>();
      const add = (set: string[], c: { shopId: string; signature: string }) => {
        const key = set.join();
        const list = signatures.get(key) ?? [];
        if (!list.some((x) => x.shopId === c.shopId)) signatures.set(key, [...list, c]);
      };
      const make = (identities: ReturnType<typeof shops>): Tamper => ({
        confirmRequest: (id, request) => ({
          survivors: groupB.includes(id)
            ? request.survivors.filter((s) => s !== victim)
            : request.survivors,
        }),
        unmaskRequest: (id, request) => {
          const mine = groupB.includes(id)
            ? request.survivors.filter((s) => s !== victim)
            : request.survivors;
          return { survivors: mine, confirmations: signatures.get(mine.join()) ?? [] };
        },
        onState: (id, state) => {
          if (state.phase !== 'confirmed' || !state.confirmed) return;
          add(state.confirmed.survivors, state.confirmed.confirmation);
          if (!colluders.includes(id)) return;
          // A colluder also signs the other set, with its own identity.
          const other = state.confirmed.survivors.includes(victim)
            ? state.confirmed.survivors.filter((s) => s !== victim)
            : [...state.confirmed.survivors, victim].sort();
          const secret = identities.find((s) => s.shopId === id)!.secretKey;
          add(other, {
            shopId: id,
            signature: signEd25519(
              secret,
              confirmBytes(state.paramsDigest, state.rosterHash!, other),
            ),
          });
        },
      });
      const { run, rebuilt, inputs } = await attacked(make, { colluders });
      const kinds = new Set(
        run.transcript.answers
          .filter((a) => !colluders.includes(a.shopId))
          .flatMap((a) => [
            ...(a.selfMaskShares[victim] ? ['self-mask'] : []),
            ...(a.maskKeyShares[victim] ? ['mask-key'] : []),
          ]),
      );
      // Honest shops revealed at most one kind of the victim's secrets between them.
      expect(kinds.size, `group B of ${sizeB}`).toBeLessThanOrEqual(1);
      expect(rebuilt).toBeNull();
      expect(sameVector(rebuilt, inputs.get(victim)!)).toBe(false);
    }
  });

  it('refuses a survivor set below two thirds of the roster, and unmask requests with too few signatures', async () => {
    const small = await attacked({
      confirmRequest: (_id, request) => ({ survivors: request.survivors.slice(0, 6) }),
    });
    for (const id of small.run.round.survivors!)
      expect(small.run.refusals.get(id)).toBe('survivors-invalid');
    expect(small.run.transcript.answers).toHaveLength(0);
    expect(small.rebuilt).toBeNull();

    const few = await attacked({
      unmaskRequest: (_id, request) => ({
        ...request,
        confirmations: request.confirmations.slice(0, 6),
      }),
    });
    for (const id of few.run.round.survivors!)
      expect(few.run.refusals.get(id)).toBe('confirmations-insufficient');
    expect(few.rebuilt).toBeNull();
  });

  it('refuses a coordinator that sizes the round for fewer colluders than the bakery requires', async () => {
    const identities = shops(N);
    const run = await runActiveRound({
      params: params(N, { colluders: 1 }),
      shops: identities,
      inputOf: () => new Uint32Array(6),
      requirements: { minColluders: (n) => Math.floor(n / 3) },
    });
    for (const s of identities) expect(run.refusals.get(s.shopId)).toBe('colluders-below-policy');
    expect(run.transcript.shareMessages.size).toBe(0);
  });

  it('a forged or altered roster line stops every honest shop before it shares anything', async () => {
    const forged = await attacked({
      roster: (_id, roster) =>
        roster.map((e) =>
          e.shopId === 'shop-005' ? { ...e, maskKey: generateX25519().publicKey } : e,
        ),
    });
    for (const id of forged.ids) expect(forged.run.refusals.get(id)).toBe('roster-forged');
    expect(forged.run.transcript.shareMessages.size).toBe(0);
    expect(forged.rebuilt).toBeNull();
  });

  it('a share key not signed by its owner is refused (the coordinator cannot read shares in transit)', async () => {
    const swapped = await attacked({
      shareKeys: (id, keys) =>
        id === 'shop-001' ? keys.map((k) => ({ ...k, key: generateX25519().publicKey })) : keys,
    });
    expect(swapped.run.refusals.get('shop-001')).toBe('share-keys-forged');
    expect(swapped.run.round.phase).toBe('done');
    expect(swapped.rebuilt).toBeNull();
  });

  it('records bound to another roster (split roster) are caught by their recipients', async () => {
    const split = await attacked({
      records: (id, records) =>
        id === 'shop-002'
          ? records.map((r) => ({
              ...r,
              rosterHash: Buffer.from(sha256(utf8('other'))).toString('base64'),
            }))
          : records,
    });
    expect(split.run.refusals.get('shop-002')).toBe('split-roster');
  });

  it('replayed unmask requests: another round’s request is refused, a second set in this round too', async () => {
    // Round 1 runs honestly; its unmask request is kept and replayed in round 2 to the same shops.
    const first = await attacked({}, { roundId: 'round-1' });
    expect(first.run.round.phase).toBe('done');
    const old: UnmaskRequest = {
      survivors: first.run.round.survivors!,
      confirmations: first.run.round.confirmations!,
    };
    const replay = await attacked({ unmaskRequest: () => old }, { roundId: 'round-2' });
    for (const id of replay.run.round.survivors!)
      expect(replay.run.refusals.get(id)).toBe('confirmations-insufficient');
    expect(replay.rebuilt).toBeNull();

    // Within one round: after answering, a request for another set is refused; the same set gets
    // the same bytes again and nothing new.
    const { run } = await attacked({});
    const state = run.clients.get('shop-003')!;
    const again = unmaskResponse(state, {
      survivors: run.round.survivors!,
      confirmations: run.round.confirmations!,
    });
    expect(again.message).toEqual(state.unmaskMessage);
    expect(
      refusalOf(() =>
        unmaskResponse(state, {
          survivors: run.round.survivors!.filter((s) => s !== 'shop-000'),
          confirmations: [],
        }),
      ),
    ).toBe('survivors-changed');
  });

  it('grinding rosters for neighbourhoods: no candidate puts t − 1 colluders around the victim', () => {
    // 400 shops, the largest c a neighbourhood can hold (120); colluders regenerate their keys
    // after seeing the honest adverts, so each try is a fresh roster hash and a fresh graph.
    const n = 400;
    const config = roundConfig({ maxShops: n, colluders: null, graph: 'auto' }, n);
    expect(config.graph).toBe('secagg+');
    const ids = Array.from({ length: n }, (_, i) => `shop-${String(i).padStart(3, '0')}`);
    const colluders = new Set(ids.slice(1, 1 + config.colluders));
    let best = 0;
    for (let attempt = 0; attempt < 60; attempt++) {
      const hash = Buffer.from(sha256(utf8(`candidate-roster-${attempt}`))).toString('base64');
      const graph = new RoundGraph('ZGlnZXN0', hash, ids, config);
      best = Math.max(best, graph.neighbours(ids[0]!).filter((v) => colluders.has(v)).length);
    }
    // Expected about k·c/(n − 1) colluders; t − 1 is more than 8 standard deviations above.
    expect(best).toBeLessThan(config.threshold - 1);
    expect(config.threshold - 1 - best).toBeGreaterThan(10);
  });

  it('with every colluder placed around the victim (grinding at its best), the victim stays hidden', async () => {
    // 40 shops on SecAgg+ sized for 2 colluders: both sit next to the victim and pool all they know.
    const n = 40;
    const identities = shops(n);
    const ids = identities.map((s) => s.shopId);
    const inputs = inputsFor(ids);
    const known: ClientState[] = [];
    const run = await runActiveRound({
      params: params(n, { colluders: 2, graph: 'secagg+' }),
      shops: identities,
      inputOf: (id) => inputs.get(id)!,
      tamper: {
        onState: (id, state) => {
          if (
            state.phase === 'masked' &&
            state.neighbours?.includes('shop-000') &&
            known.length < 2
          )
            known.push(state);
        },
      },
    });
    expect(run.round.phase).toBe('done');
    expect(known).toHaveLength(2);
    expect(Array.from(run.sum!)).toEqual(Array.from(plainSum([...inputs.values()], 6)));
    const rebuilt = attackerRebuilds(run, 'shop-000', known);
    expect(sameVector(rebuilt, inputs.get('shop-000')!)).toBe(false);
    expect(rebuilt).toBeNull();
  });
  it('a record re-aimed at another of the victim’s share keys is reported without revealing any key', async () => {
    // The sender signs a record for the wrong key index and the coordinator forwards it: were the
    // victim to prove "undecryptable" with that key's secret, it would reveal the key another
    // sender's shares are encrypted to.
    const sender = 'shop-004';
    const victim = 'shop-000';
    let sent: MaskedInputMessage | null = null;
    const digest = paramsDigest(params(N, { roundId: 'attacked' }));
    const { run } = await attacked((identities) => ({
      records: (to, records) =>
        to !== victim
          ? records
          : records.map((r) => {
              if (r.from !== sender) return r;
              const changed = { ...r, keyIndex: (r.keyIndex + 1) % 9 };
              const secret = identities.find((s) => s.shopId === sender)!.secretKey;
              return {
                ...changed,
                signature: signEd25519(secret, recordBytes(digest, changed)),
              };
            }),
      maskedInput: (from, message) => {
        if (from === victim) sent = message;
        return message;
      },
    }));
    const report = (sent as MaskedInputMessage | null)?.reports[0];
    expect(report?.reason).toBe('wrong-key-index');
    expect(report?.shareSecretKey).toBeNull();
    // Its upload does not mask with the accused, and the honest coordinator, which holds the
    // record as really uploaded, refuses the report: the victim is out of this round, unmasked.
    expect((sent as MaskedInputMessage | null)?.maskedWith).not.toContain(sender);
    expect(run.rejected.get(victim)).toBe('report-unfounded');
  });

  it('a survivor set that leaves fewer than t survivors around a shop is refused', async () => {
    // The check on a hand-built state (12 shops, 6 neighbours, t = 5): with n − T ≥ k − t + 2 a
    // coordinator could list enough survivors overall while dropping most of one shop's
    // neighbours — stripping its pairwise masks while its self mask is revealed. Real rosters
    // reach that shape from about 400 shops, too large for a unit test's full round.
    const { run } = await attacked({});
    const state = run.clients.get('shop-000')!;
    const roster = state.roster!.concat(
      ['shop-010', 'shop-011'].map((id) => ({ ...state.roster![1]!, shopId: id })),
    );
    const neighbours = ['shop-001', 'shop-002', 'shop-003', 'shop-004', 'shop-005', 'shop-006'];
    const { confirmed: _signed, ...unsigned } = state;
    const handBuilt: ClientState = {
      ...unsigned,
      phase: 'masked',
      roster,
      neighbours,
      maskedWith: neighbours,
      config: { ...state.config!, rosterSize: 12, minSurvivors: 9, neighbours: 6, threshold: 5 },
    };
    const identity = shops(N)[0]!;
    const everyone = roster.map((e) => e.shopId);
    const sparse = everyone.filter((id) => !['shop-001', 'shop-002', 'shop-003'].includes(id));
    expect(sparse).toHaveLength(9);
    expect(refusalOf(() => confirmSurvivors(handBuilt, identity, { survivors: sparse }))).toBe(
      'survivors-too-sparse',
    );
    const enough = everyone.filter((id) => !['shop-001', 'shop-002', 'shop-007'].includes(id));
    expect(
      refusalOf(() => confirmSurvivors(handBuilt, identity, { survivors: enough })),
    ).toBeNull();
  });
});
