import { readFileSync } from 'node:fs';
import type { IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { describe, expect, it } from 'vitest';
import { buildCoordinator } from '../../coordinator/app.ts';
import { createOperator } from '../../coordinator/operator/accounts.ts';
import { openCoordinatorStore } from '../../coordinator/store/database.ts';
import { currentModelVersion } from '../../coordinator/store/models.ts';
import { getRound, insertUpdate } from '../../coordinator/store/rounds.ts';
import { createInvite, enrolShop, revokeShop } from '../../coordinator/store/shops.ts';
import {
  bytesOfFloat32,
  float32FromBytes,
  generateShopKeyPair,
  sha256Hex,
} from '../../federated/protocol/index.ts';
import { parameterCount, silentLog, startCoordinator, tempDir } from './coordinator-harness.ts';

async function seedShops(path: string, count: number): Promise<string[]> {
  const store = await openCoordinatorStore(path);
  const ids: string[] = [];
  for (let i = 0; i < count; i++) {
    const code = await createInvite(
      store,
      { expiresAt: new Date(Date.now() + 60_000), operatorId: null },
      new Date(),
    );
    const outcome = await enrolShop(
      store,
      {
        inviteCode: code,
        shopName: `S${i}`,
        appVersion: '1',
        publicKey: generateShopKeyPair().publicKey,
      },
      new Date(),
    );
    if (!outcome.ok) throw new Error(outcome.reason);
    ids.push(outcome.shop.id);
  }
  await store.close();
  return ids;
}

async function upload(
  path: string,
  roundId: number,
  shopId: string,
  values: number[],
  weight: number,
): Promise<void> {
  const store = await openCoordinatorStore(path);
  const delta = bytesOfFloat32(Float32Array.from(values));
  const row = {
    round_id: roundId,
    shop_id: shopId,
    payload_sha256: sha256Hex(delta),
    sample_count: weight,
    weight,
    norm: 0,
    bytes: delta.length,
    delta,
    received_at: new Date().toISOString(),
  };
  await store.transaction((tx) => insertUpdate(tx, row));
  await store.close();
}

async function modelWeightsOf(app: FastifyInstance, version: number): Promise<Float32Array> {
  const row = await app.coordinator.store.get<{ weights: Buffer }>(
    'SELECT weights FROM models WHERE version = ?',
    [version],
  );
  return float32FromBytes(row!.weights);
}

describe('coordinator restarts', () => {
  it('resolves a round whose deadline passed while it was down', async () => {
    const path = join(tempDir('breadcast-restart-'), 'c.db');
    const [a, b] = (await seedShops(path, 3)) as [string, string];
    let { app } = await startCoordinator(path);
    const round = await app.coordinator.engine.startRound('cli', {
      mode: 'plain',
      minShops: 2,
      deadlines: {
        openSeconds: 0,
        advertiseSeconds: 60,
        shareSeconds: 60,
        collectSeconds: 1,
        confirmSeconds: 60,
        unmaskSeconds: 60,
      },
    });
    await app.close();
    await upload(path, round.id, a, new Array(parameterCount).fill(0.1), 1);
    await upload(path, round.id, b, new Array(parameterCount).fill(0.3), 3);
    await new Promise((resolve) => setTimeout(resolve, 1100));
    ({ app } = await startCoordinator(path));
    await new Promise((resolve) => setTimeout(resolve, 100));
    const after = (await getRound(app.coordinator.store, round.id))!;
    expect(after).toMatchObject({ phase: 'published', result_version: 2 });
    await app.close();
  });

  it('finishes a round that stopped while aggregating', async () => {
    const path = join(tempDir('breadcast-restart-'), 'c.db');
    const [a, b, c] = (await seedShops(path, 3)) as [string, string, string];
    let { app } = await startCoordinator(path);
    const round = await app.coordinator.engine.startRound('cli', { mode: 'plain', minShops: 2 });
    await app.close();
    await upload(path, round.id, a, new Array(parameterCount).fill(0.1), 1);
    await upload(path, round.id, b, new Array(parameterCount).fill(0.3), 3);
    await upload(path, round.id, c, new Array(parameterCount).fill(0.9), 5);
    const store = await openCoordinatorStore(path);
    // Revoked after uploading: its update must not count.
    await revokeShop(store, c, new Date());
    await store.run("UPDATE rounds SET phase = 'aggregating', phase_deadline = NULL WHERE id = ?", [
      round.id,
    ]);
    await store.close();
    ({ app } = await startCoordinator(path));
    expect((await getRound(app.coordinator.store, round.id))!.phase).toBe('published');
    expect(await currentModelVersion(app.coordinator.store)).toBe(2);
    const weights = await modelWeightsOf(app, 2);
    // weighted by 1 and 3: (0.1 + 0.9) / 4
    expect(weights[0]).toBeCloseTo(0.25, 6);
    await app.close();
  });

  it('carries server momentum across rounds and restarts, and resets it after a rollback', async () => {
    const path = join(tempDir('breadcast-momentum-'), 'c.db');
    const shops = await seedShops(path, 2);
    const optimizer = {
      serverOptimizer: { kind: 'fedavgm' as const, learningRate: 1, momentum: 0.5 },
      mode: 'plain' as const,
      minShops: 2,
    };
    const round = async (): Promise<number> => {
      const { app } = await startCoordinator(path);
      const { engine } = app.coordinator;
      const started = await engine.startRound('cli', optimizer);
      await app.close();
      for (const shop of shops)
        await upload(path, started.id, shop, new Array(parameterCount).fill(0.1), 1);
      const again = await startCoordinator(path);
      const done = await again.app.coordinator.engine.advance(started.id, 'operator');
      const weights = await modelWeightsOf(again.app, done.result_version!);
      await again.app.close();
      return weights[0]!;
    };
    expect(await round()).toBeCloseTo(0.1, 6); // m = 0.1
    expect(await round()).toBeCloseTo(0.25, 6); // m = 0.5·0.1 + 0.1
    const { app } = await startCoordinator(path);
    await app.coordinator.engine.rollback(2, 'test');
    await app.close();
    expect(await round()).toBeCloseTo(0.2, 6); // from version 2 with fresh momentum
  });

  it('serves HTTPS with a certificate and marks cookies Secure', async () => {
    const tls = (file: string) => readFileSync(new URL(`../support/tls/${file}`, import.meta.url));
    const app = await buildCoordinator({
      db: join(tempDir('breadcast-tls-'), 'c.db'),
      logger: silentLog,
      initialWeights: () => new Float32Array(3),
      schedule: false,
      https: { key: tls('key.pem'), cert: tls('cert.pem') },
    });
    try {
      const address = await app.listen({ host: '127.0.0.1', port: 0 });
      expect(address).toMatch(/^https:/);
      await createOperator(app.coordinator.store, 'ops', 'correct horse battery');
      // A client that trusts exactly this certificate, over a real TLS connection.
      const login = await new Promise<IncomingMessage>((resolve, reject) => {
        const sent = httpsRequest(
          `${address}/v1/operator/login`,
          { method: 'POST', ca: tls('cert.pem'), headers: { 'content-type': 'application/json' } },
          resolve,
        );
        sent.on('error', reject);
        sent.end(JSON.stringify({ name: 'ops', password: 'correct horse battery' }));
      });
      login.resume();
      expect(login.statusCode).toBe(200);
      expect(String(login.headers['set-cookie'])).toMatch(/HttpOnly.*Secure|Secure.*HttpOnly/);
      expect(String(login.headers['set-cookie'])).toMatch(/SameSite=Strict/);
    } finally {
      await app.close();
    }
  });
});
