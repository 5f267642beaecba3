/**
 * Runs one in-memory SecAgg round with chosen dropouts, round-tripping every state and message
 * through JSON exactly as SQLite rows and HTTP bodies would.
 */
import * as S from '../../../federated/secagg/index.ts';

const viaJson = <T>(value: T): T => JSON.parse(JSON.stringify(value)) as T;

export type Dropouts = {
  /** Shops that never advertise. */
  beforeAdvertise?: string[];
  /** Advertise, then vanish before sharing keys. */
  afterAdvertise?: string[];
  /** Share keys, then vanish before uploading. */
  afterShare?: string[];
  /** Upload, then vanish before helping to unmask. */
  afterUpload?: string[];
};

export type RoundOutcome = {
  server: S.ServerState;
  /** Shops that stopped because their own threshold check refused a step. */
  refusals: string[];
  /** Shops whose inputs must be in the sum (U3). */
  included: string[];
  sum?: Uint32Array;
};

export function shopIds(n: number): string[] {
  return Array.from({ length: n }, (_, i) => `shop-${String(i).padStart(2, '0')}`);
}

/** A round in which every one of `n` shops has advertised its keys, and the advertise phase closed. */
export function advertisedRound(params: S.SecAggParams, n: number) {
  const ids = shopIds(n);
  const identities = ids.map((id) => S.createShopIdentity(id));
  let server = S.createServerRound(
    params,
    Object.fromEntries(identities.map((i) => [i.shopId, i.publicKey])),
  );
  const clients: S.ClientState[] = [];
  for (const identity of identities) {
    const step = S.advertiseKeys(identity, params);
    clients.push(step.state);
    server = S.acceptAdvertisement(server, step.message);
  }
  return { ids, identities, clients, server: S.closePhase(server) };
}

export async function runRound(
  params: S.SecAggParams,
  inputs: Record<string, Uint32Array>,
  dropouts: Dropouts = {},
): Promise<RoundOutcome> {
  const ids = Object.keys(inputs);
  const identities = Object.fromEntries(ids.map((id) => [id, S.createShopIdentity(id)]));
  let server = S.createServerRound(
    params,
    Object.fromEntries(ids.map((id) => [id, identities[id]!.publicKey])),
  );
  const clients: Record<string, S.ClientState> = {};
  const refusals: string[] = [];
  const gone = new Set(dropouts.beforeAdvertise ?? []);
  // A shop whose own checks refuse a step (too few neighbours left) simply stops, like a dropout.
  const refusing = async <T>(id: string, run: () => T | Promise<T>): Promise<T | null> => {
    try {
      return await run();
    } catch (error) {
      if (!(error instanceof S.SecAggError) || error.code !== 'below-threshold') throw error;
      refusals.push(id);
      gone.add(id);
      return null;
    }
  };

  for (const id of ids.filter((i) => !gone.has(i))) {
    const step = S.advertiseKeys(identities[id]!, params);
    clients[id] = viaJson(step.state);
    server = viaJson(S.acceptAdvertisement(server, viaJson(step.message)));
  }
  server = S.closePhase(server);
  if (server.phase === 'failed') return { server, refusals, included: [] };
  (dropouts.afterAdvertise ?? []).forEach((id) => gone.add(id));

  for (const id of ids.filter((i) => !gone.has(i))) {
    const step = await refusing(id, () => S.shareKeys(clients[id]!, viaJson(S.roster(server))));
    if (!step) continue;
    clients[id] = viaJson(step.state);
    server = viaJson(S.acceptShareKeys(server, viaJson(step.message)));
  }
  server = S.closePhase(server);
  if (server.phase === 'failed') return { server, refusals, included: [] };
  (dropouts.afterShare ?? []).forEach((id) => gone.add(id));

  for (const id of ids.filter((i) => !gone.has(i) && server.sharers!.includes(i))) {
    const step = await refusing(id, () =>
      S.maskedInput(clients[id]!, viaJson(S.routeShares(server, id)), inputs[id]!),
    );
    if (!step) continue;
    clients[id] = viaJson(step.state);
    server = viaJson(S.acceptMaskedInput(server, viaJson(step.message)));
  }
  server = S.closePhase(server);
  if (server.phase === 'failed') return { server, refusals, included: [] };
  const included = S.unmaskRequest(server).survivors;
  (dropouts.afterUpload ?? []).forEach((id) => gone.add(id));

  for (const id of ids.filter((i) => !gone.has(i) && included.includes(i))) {
    const step = await refusing(id, () =>
      S.unmaskResponse(clients[id]!, viaJson(S.unmaskRequest(server))),
    );
    if (!step) continue;
    clients[id] = viaJson(step.state);
    server = viaJson(S.acceptUnmask(server, viaJson(step.message)));
  }
  server = viaJson(await S.recoverSum(server));
  if (server.phase !== 'done') return { server, refusals, included };
  return { server, refusals, included, sum: S.recoveredSum(server) };
}

export function plainSum(vectors: Uint32Array[], length: number, modulusBits: number): Uint32Array {
  const sum = new Uint32Array(length);
  for (const v of vectors) S.ringAddInPlace(sum, v, modulusBits);
  return sum;
}
