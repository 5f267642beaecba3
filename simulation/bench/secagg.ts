import { randomFillSync } from 'node:crypto';
import { weightedAverage } from '../../federated/aggregation/index.ts';
import { encodeFloat32, sha256Hex } from '../../federated/protocol/index.ts';
import * as S from '../../federated/secagg/index.ts';

export type SecAggBench = {
  shops: number;
  parameters: number;
  neighbours: number | null;
  threshold: number;
  /** Mean time one shop spends on its four steps (key advertisement → unmasking help). */
  clientMs: number;
  /** Coordinator time for the whole round (accepting, routing, unmasking, summing). */
  coordinatorMs: number;
  /** Bytes one shop sends and receives over the round (JSON bodies). */
  clientBytesSent: number;
  clientBytesReceived: number;
  plain: { clientMs: number; coordinatorMs: number; clientBytesSent: number };
};

const size = (value: unknown) => Buffer.byteLength(JSON.stringify(value));

/**
 * One complete secure-aggregation round with the privacy core's pure functions (every message
 * through JSON, as over HTTP), no dropouts; against the plain upload of the same vectors.
 */
export async function benchSecAgg(
  shops: number,
  parameters = 10_000,
  neighbours: number | null = shops > 100 ? 20 : null,
): Promise<SecAggBench> {
  const ids = Array.from({ length: shops }, (_, i) => `shop-${i}`);
  const threshold = neighbours
    ? Math.floor((2 * (neighbours + 1)) / 3)
    : Math.max(2, Math.floor((2 * shops) / 3));
  const params: S.SecAggParams = {
    roundId: `bench-${shops}`,
    threshold,
    vectorLength: parameters,
    modulusBits: 32,
    neighbours,
  };
  const inputs = ids.map(() => {
    const v = new Uint32Array(parameters);
    randomFillSync(v);
    return v;
  });
  const identities = ids.map((id) => S.createShopIdentity(id));
  let coordinatorMs = 0;
  const clientMs = new Float64Array(shops);
  const sent = new Float64Array(shops);
  const received = new Float64Array(shops);
  const server = async <T>(work: () => T | Promise<T>): Promise<T> => {
    const t = performance.now();
    const result = await work();
    coordinatorMs += performance.now() - t;
    return result;
  };
  const client = async <T>(i: number, work: () => T | Promise<T>): Promise<T> => {
    const t = performance.now();
    const result = await work();
    clientMs[i]! += performance.now() - t;
    return result;
  };

  let state = await server(() =>
    S.createServerRound(
      params,
      Object.fromEntries(ids.map((id, i) => [id, identities[i]!.publicKey])),
    ),
  );
  const clients: S.ClientState[] = [];
  for (let i = 0; i < shops; i++) {
    const step = await client(i, () => S.advertiseKeys(identities[i]!, params));
    clients[i] = step.state;
    sent[i]! += size(step.message);
    state = await server(() =>
      S.acceptAdvertisement(state, JSON.parse(JSON.stringify(step.message))),
    );
  }
  state = await server(() => S.closePhase(state));
  const roster = await server(() => S.roster(state));
  for (let i = 0; i < shops; i++) {
    received[i]! += size(roster);
    const step = await client(i, () =>
      S.shareKeys(clients[i]!, JSON.parse(JSON.stringify(roster))),
    );
    clients[i] = step.state;
    sent[i]! += size(step.message);
    state = await server(() => S.acceptShareKeys(state, JSON.parse(JSON.stringify(step.message))));
  }
  state = await server(() => S.closePhase(state));
  for (let i = 0; i < shops; i++) {
    const routed = await server(() => S.routeShares(state, ids[i]!));
    received[i]! += size(routed);
    const step = await client(i, () =>
      S.maskedInput(clients[i]!, JSON.parse(JSON.stringify(routed)), inputs[i]!),
    );
    clients[i] = step.state;
    sent[i]! += size(step.message);
    state = await server(() =>
      S.acceptMaskedInput(state, JSON.parse(JSON.stringify(step.message))),
    );
  }
  state = await server(() => S.closePhase(state));
  const request = await server(() => S.unmaskRequest(state));
  for (let i = 0; i < shops; i++) {
    received[i]! += size(request);
    const step = await client(i, () =>
      S.unmaskResponse(clients[i]!, JSON.parse(JSON.stringify(request))),
    );
    clients[i] = step.state;
    sent[i]! += size(step.message);
    state = await server(() => S.acceptUnmask(state, JSON.parse(JSON.stringify(step.message))));
  }
  state = await server(() => S.recoverSum(state));
  if (state.phase !== 'done') throw new Error(`secure aggregation round ended in ${state.phase}`);
  const sum = S.recoveredSum(state);
  const expected = new Uint32Array(parameters);
  for (const v of inputs) S.ringAddInPlace(expected, v, 32);
  if (!sum.every((v, i) => v === expected[i]))
    throw new Error('recovered sum differs from the plain sum');

  // Plain upload of the same number of parameters: encode + hash on the shop, average on the coordinator.
  const floats = inputs.map((v) =>
    Float32Array.from(v.subarray(0, parameters), (x) => x / 2 ** 32 - 0.5),
  );
  let plainClient = 0;
  let plainBytes = 0;
  for (const f of floats) {
    const t = performance.now();
    const delta = encodeFloat32(f);
    const body = JSON.stringify({
      modelVersion: 1,
      parameterCount: f.length,
      sampleCount: 100,
      encoding: 'f32le-base64',
      delta,
      sha256: sha256Hex(Buffer.from(delta, 'base64')),
    });
    plainClient += performance.now() - t;
    plainBytes += Buffer.byteLength(body);
  }
  const t = performance.now();
  weightedAverage(floats.map((delta) => ({ delta, weight: 1 })));
  const plainCoordinator = performance.now() - t;

  const mean = (a: Float64Array) => a.reduce((s, v) => s + v, 0) / a.length;
  return {
    shops,
    parameters,
    neighbours,
    threshold,
    clientMs: mean(clientMs),
    coordinatorMs,
    clientBytesSent: mean(sent),
    clientBytesReceived: mean(received),
    plain: {
      clientMs: plainClient / shops,
      coordinatorMs: plainCoordinator,
      clientBytesSent: plainBytes / shops,
    },
  };
}
