/**
 * Rounds larger than the Shamir library's 255 shares: SecAgg+ shares each secret only within a
 * neighbourhood of k + 1, so the roster may exceed 255; the complete graph may not.
 */
import { describe, expect, it } from 'vitest';
import * as S from '../../../federated/secagg/index.ts';
import { plainSum, shopIds } from './round-harness.ts';

const viaJson = <T>(value: T): T => JSON.parse(JSON.stringify(value)) as T;

type Drops = { afterAdvertise: string[]; afterShare: string[]; afterUpload: string[] };

/**
 * round-harness's runRound round-trips the whole server state after every message, which is
 * quadratic in the roster; here every message and shop state goes through JSON, the server
 * state once per phase (as the coordinator persists it), so a roster past 255 stays affordable
 * (each shop still verifies every advert: n² signatures).
 */
async function leanRound(
  params: S.SecAggParams,
  inputs: Record<string, Uint32Array>,
  drops: Drops,
) {
  const ids = Object.keys(inputs);
  const identities = ids.map((id) => S.createShopIdentity(id));
  let server = S.createServerRound(
    params,
    Object.fromEntries(identities.map((s) => [s.shopId, s.publicKey])),
  );
  const clients: Record<string, S.ClientState> = {};
  for (const identity of identities) {
    const step = S.advertiseKeys(identity, params);
    clients[identity.shopId] = viaJson(step.state);
    server = S.acceptAdvertisement(server, viaJson(step.message));
  }
  server = viaJson(S.closePhase(server));
  const present = (gone: string[]) => ids.filter((id) => !gone.includes(id));
  const roster = viaJson(S.roster(server));
  for (const id of present(drops.afterAdvertise)) {
    const step = await S.shareKeys(clients[id]!, roster);
    clients[id] = viaJson(step.state);
    server = S.acceptShareKeys(server, viaJson(step.message));
  }
  server = viaJson(S.closePhase(server));
  for (const id of present([...drops.afterAdvertise, ...drops.afterShare])) {
    const step = S.maskedInput(clients[id]!, viaJson(S.routeShares(server, id)), inputs[id]!);
    clients[id] = viaJson(step.state);
    server = S.acceptMaskedInput(server, viaJson(step.message));
  }
  server = viaJson(S.closePhase(server));
  const request = viaJson(S.unmaskRequest(server));
  for (const id of request.survivors.filter((s) => !drops.afterUpload.includes(s))) {
    const step = S.unmaskResponse(clients[id]!, request);
    server = S.acceptUnmask(server, viaJson(step.message));
  }
  return viaJson(await S.recoverSum(viaJson(server)));
}

const LENGTH = 16;

function randomVectors(ids: string[], bits: number): Record<string, Uint32Array> {
  const max = 2 ** bits;
  return Object.fromEntries(
    ids.map((id) => [
      id,
      Uint32Array.from({ length: LENGTH }, () => Math.floor(Math.random() * max)),
    ]),
  );
}

describe('secure aggregation beyond 255 shops', () => {
  it('a 260-shop SecAgg+ round with dropouts at every phase recovers exactly the plain sum', async () => {
    const ids = shopIds(260);
    const inputs = randomVectors(ids, 32);
    // Spread out so no neighbourhood of 9 loses more than it can bear (t = 5).
    const pick = (from: number) => ids.filter((_, i) => i % 29 === from);
    const dropouts = { afterAdvertise: pick(1), afterShare: pick(2), afterUpload: pick(3) };
    const params = {
      roundId: 'large-300',
      threshold: 5,
      vectorLength: LENGTH,
      modulusBits: 32,
      neighbours: 8,
    };
    const server = await leanRound(params, inputs, dropouts);
    expect(server.failure).toBeUndefined();
    expect(server.phase).toBe('done');
    expect(server.roster).toHaveLength(260);
    const gone = new Set([...dropouts.afterAdvertise, ...dropouts.afterShare]);
    const survivors = ids.filter((id) => !gone.has(id)).sort();
    expect(S.unmaskRequest(server).survivors).toEqual(survivors);
    // Dropped-after-share shops were unmasked via their mask keys, late ones via self masks.
    expect(S.unmaskRequest(server).dropped).toEqual([...dropouts.afterShare].sort());
    expect([...S.recoveredSum(server)]).toEqual([
      ...plainSum(
        survivors.map((id) => inputs[id]!),
        LENGTH,
        32,
      ),
    ]);
  }, 240_000);

  it('still refuses a complete-graph round of more than 255 shops, on both sides', () => {
    const ids = shopIds(256);
    const params = { roundId: 'complete-256', threshold: 2, vectorLength: 1, modulusBits: 32 };
    const identities = ids.map((id) => S.createShopIdentity(id));
    let server = S.createServerRound(
      params,
      Object.fromEntries(identities.map((s) => [s.shopId, s.publicKey])),
    );
    const first = S.advertiseKeys(identities[0]!, params);
    for (const identity of identities) {
      const step = identity === identities[0] ? first : S.advertiseKeys(identity, params);
      server = S.acceptAdvertisement(server, step.message);
    }
    const closed = S.closePhase(server);
    expect(closed.phase).toBe('failed');
    expect(closed.failure).toMatch(/at most 255 shops per round on the complete graph/);
    // A shop handed such a roster by a coordinator that skipped the check refuses it too.
    const roster = Object.values(server.advertisements).map((ad) => ({
      ...ad,
      identityKey: server.identities[ad.shopId]!,
    }));
    expect(() => S.verifyRoster(first.state, roster)).toThrow(/at most 255 shops per round/);
    // A SecAgg+ neighbours value that covers the whole roster is the complete graph too.
    expect(S.rosterSizeProblem({ ...params, neighbours: 254 }, 256)).toBeNull();
    expect(S.rosterSizeProblem({ ...params, neighbours: 254 }, 255)).toBeNull();
    expect(S.rosterSizeProblem({ ...params, neighbours: 200 }, 256)).toBeNull();
    expect(S.rosterSizeProblem({ ...params, neighbours: null }, 256)).toMatch(/at most 255/);
  });

  it('refuses neighbourhoods that would need more than 255 shares', () => {
    const params = { roundId: 'k', threshold: 3, vectorLength: 1, modulusBits: 32 };
    expect(() => S.paramsDigest({ ...params, neighbours: 256 })).toThrow(/neighbours \+ 1/);
    expect(() => S.paramsDigest({ ...params, neighbours: 254 })).not.toThrow();
  });
});
