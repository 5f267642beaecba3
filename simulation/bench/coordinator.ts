import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import { parameterCount } from '../../federated/model/network.ts';
import {
  encodeFloat32,
  generateShopKeyPair,
  headers,
  protocolVersion,
  sha256Hex,
  signRequest,
} from '../../federated/protocol/index.ts';
import { startLocalCoordinator } from '../consortium.ts';

export type CoordinatorBench = {
  shops: number;
  rounds: number;
  parameters: number;
  uploads: { perSecond: number; p99Ms: number; meanMs: number; accepted: number; refused: number };
  health: { perSecond: number; p99Ms: number; meanMs: number };
};

type Shop = { id: string; privateKey: string };

async function enrol(url: string, invite: string, name: string): Promise<Shop> {
  const keys = generateShopKeyPair();
  const response = await fetch(`${url}/v1/enrol`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', [headers.protocol]: String(protocolVersion) },
    body: JSON.stringify({
      inviteCode: invite,
      shopName: name,
      appVersion: 'bench',
      publicKey: keys.publicKey,
    }),
  });
  if (!response.ok) throw new Error(`enrol failed: ${response.status} ${await response.text()}`);
  const { shopId } = (await response.json()) as { shopId: string };
  return { id: shopId, privateKey: keys.privateKey };
}

/** One shop's signed upload for a round, built ahead so the load tool only sends bytes. */
function signedUpload(shop: Shop, roundId: number, modelVersion: number) {
  const delta = new Float32Array(parameterCount()).map(() => (Math.random() - 0.5) * 0.01);
  const encoded = encodeFloat32(delta);
  const body = JSON.stringify({
    modelVersion,
    parameterCount: delta.length,
    sampleCount: 1000,
    encoding: 'f32le-base64',
    delta: encoded,
    sha256: sha256Hex(Buffer.from(encoded, 'base64')),
  });
  const path = `/v1/rounds/${roundId}/update`;
  const timestamp = Date.now();
  const nonce = randomBytes(18).toString('base64url');
  return {
    method: 'POST',
    path,
    body,
    headers: {
      'content-type': 'application/json',
      [headers.protocol]: String(protocolVersion),
      'x-breadcast-app-version': 'bench',
      [headers.shop]: shop.id,
      [headers.timestamp]: String(timestamp),
      [headers.nonce]: nonce,
      [headers.signature]: signRequest(shop.privateKey, {
        method: 'POST',
        path,
        shopId: shop.id,
        timestamp,
        nonce,
        body,
      }),
    },
  };
}

/**
 * The coordinator under 200 simulated shops uploading at once (each its own signed update of the
 * production model's size, one per shop per round, as the protocol allows), measured with
 * autocannon; the baseline is `GET /health` with the same 200 connections.
 */
export async function benchCoordinator(shops = 200, rounds = 3): Promise<CoordinatorBench> {
  const dir = mkdtempSync(join(tmpdir(), 'breadcast-bench-coordinator-'));
  const coordinator = await startLocalCoordinator({ dir });
  try {
    const enrolled: Shop[] = [];
    for (let i = 0; i < shops; i++)
      enrolled.push(
        await enrol(coordinator.url, await coordinator.operator.invite(), `Bench ${i + 1}`),
      );
    let latency = { p99: 0, mean: 0 };
    let seconds = 0;
    let accepted = 0;
    let refused = 0;
    for (let r = 0; r < rounds; r++) {
      const round = await coordinator.operator.call<{ id: number; modelVersion: number }>(
        'POST',
        '/v1/operator/rounds',
        {
          settings: {
            minShops: shops,
            clipNorm: 10,
            deadlines: {
              openSeconds: 0,
              advertiseSeconds: 600,
              shareSeconds: 600,
              collectSeconds: 3600,
              confirmSeconds: 600,
              unmaskSeconds: 600,
            },
          },
        },
      );
      const uploads = enrolled.map((shop) => signedUpload(shop, round.id, round.modelVersion));
      let next = 0;
      const result = await autocannon({
        url: coordinator.url,
        connections: shops,
        amount: shops,
        requests: [
          { setupRequest: (request) => ({ ...request, ...uploads[next++ % uploads.length]! }) },
        ],
      });
      seconds += result.duration;
      latency = {
        p99: Math.max(latency.p99, result.latency.p99),
        mean: latency.mean + result.latency.average / rounds,
      };
      accepted += result['2xx'];
      refused += result.non2xx + result.errors;
      const after = await coordinator.operator.call<{ phase: string }>(
        'GET',
        `/v1/operator/rounds/${round.id}`,
      );
      if (after.phase !== 'published') throw new Error(`round ${round.id} ended in ${after.phase}`);
    }
    const health = await autocannon({
      url: `${coordinator.url}/health`,
      connections: shops,
      duration: 5,
    });
    return {
      shops,
      rounds,
      parameters: parameterCount(),
      uploads: {
        perSecond: accepted / seconds,
        p99Ms: latency.p99,
        meanMs: latency.mean,
        accepted,
        refused,
      },
      health: {
        perSecond: health.requests.average,
        p99Ms: health.latency.p99,
        meanMs: health.latency.average,
      },
    };
  } finally {
    await coordinator.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
