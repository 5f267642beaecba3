import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import { createOperator } from '../../coordinator/operator/accounts.ts';
import { openCoordinatorStore } from '../../coordinator/store/database.ts';
import { parameterCount } from '../../federated/model/shape.ts';
import {
  encodeFloat32,
  headers,
  protocolVersion,
  sha256Hex,
  signRequest,
} from '../../federated/protocol/index.ts';
import { OperatorClient } from '../operator-client.ts';
import { enrolInDatabase, pollUntil } from '../load/load-tools.ts';
import { cpuSecondsOf, startService, stopService } from './service-process.ts';

/** One line of `npm run bench -- --only coordinator --json`. */
export type CoordinatorBench = {
  store: 'sqlite' | 'postgres';
  shops: number;
  /** Accepted uploads over the time from the first request to the last answer, median of rounds. */
  uploadsPerSecond: number;
  p99Ms: number;
  p50Ms: number;
  rounds: number;
  parameters: number;
  accepted: number;
  refused: number;
  /** The same connections asking `GET /health`: what the server does with no work per request. */
  health: { perSecond: number; p99Ms: number; serverCpuMsPerRequest: number };
  /**
   * CPU seconds of each process over the upload bursts (the machine has 2 cores for all), and
   * of the PostgreSQL server's processes when the bench started that server itself.
   */
  cpuSeconds: {
    server: number;
    serverMainThread: number;
    loadGenerator: number;
    database?: number;
  };
  /**
   * Server CPU per accepted upload: unlike uploads/s it hardly depends on what else runs on the
   * machine, and 1000 / it bounds what one core (the service's event loop) can accept.
   */
  serverCpuMsPerUpload: number;
  /**
   * The part of it on the service's main thread (the event loop): what bounds its uploads/s,
   * while its other threads (checkpoints, garbage collection) run on the other core.
   */
  mainThreadCpuMsPerUpload: number;
  /** The PostgreSQL server's CPU per accepted upload, when measured (a cluster of its own). */
  databaseCpuMsPerUpload?: number;
  /** 1-minute load average when the bench started: other work on the machine. */
  loadAverage: number;
};

type Shop = { id: string; privateKey: string };

/** Enrols shops straight in the database: enrolment is not what this bench measures. */
async function seed(database: string, shops: number, password: string): Promise<Shop[]> {
  const store = await openCoordinatorStore(database);
  try {
    await createOperator(store, 'bench', password);
    const enrolled: Shop[] = [];
    const now = new Date();
    for (let i = 0; i < shops; i++) {
      const { shopId, keys } = await enrolInDatabase(store, `Bench ${i + 1}`, 'bench', now);
      enrolled.push({ id: shopId, privateKey: keys.privateKey });
    }
    return enrolled;
  } finally {
    await store.close();
  }
}

/** One shop's signed upload, built ahead so the load generator only sends bytes. */
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
    method: 'POST' as const,
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

const median = (values: number[]) => [...values].sort((a, b) => a - b)[values.length >> 1]!;

/**
 * `shops` enrolled shops each send one signed plain update of the production model's size, all
 * at once (one connection each), to the coordinator service running in its own process; this
 * process is the load generator (autocannon). A round opens for every burst and publishes when
 * the last update arrives, so the burst includes the aggregation. Baseline: `GET /health` on
 * as many connections, in the same run.
 */
export async function benchCoordinator(
  options: {
    shops?: number;
    rounds?: number;
    database?: string;
    /** CPU seconds the database server has used so far, when it runs on this machine. */
    databaseCpuSeconds?: () => number;
  } = {},
): Promise<CoordinatorBench> {
  const shops = options.shops ?? 1000;
  const rounds = options.rounds ?? 3;
  const loadAverage = loadavg()[0]!;
  const dir = mkdtempSync(join(tmpdir(), 'breadcast-bench-coordinator-'));
  const database = options.database ?? join(dir, 'coordinator.db');
  const password = randomBytes(12).toString('base64url');
  const enrolled = await seed(database, shops, password);
  const { child, url } = await startService(database);
  try {
    const operator = await OperatorClient.login(url, 'bench', password);
    const rates: number[] = [];
    const p99s: number[] = [];
    const p50s: number[] = [];
    let accepted = 0;
    let refused = 0;
    let serverCpu = 0;
    let mainThreadCpu = 0;
    let generatorCpu = 0;
    let databaseCpu = 0;
    const databaseCpuNow = options.databaseCpuSeconds ?? (() => 0);
    for (let r = 0; r < rounds; r++) {
      const round = await operator.call<{ id: number; modelVersion: number }>(
        'POST',
        '/v1/operator/rounds',
        {
          settings: {
            mode: 'plain',
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
      const serverBefore = cpuSecondsOf(child.pid!);
      const mainThreadBefore = cpuSecondsOf(child.pid!, { mainThread: true });
      const databaseBefore = databaseCpuNow();
      const generatorBefore = process.cpuUsage();
      const started = performance.now();
      const result = await autocannon({
        url,
        connections: shops,
        amount: shops,
        timeout: 120,
        requests: [{ setupRequest: (request) => ({ ...request, ...uploads[next++]! }) }],
      });
      const seconds = (performance.now() - started) / 1000;
      serverCpu += cpuSecondsOf(child.pid!) - serverBefore;
      mainThreadCpu += cpuSecondsOf(child.pid!, { mainThread: true }) - mainThreadBefore;
      databaseCpu += databaseCpuNow() - databaseBefore;
      const used = process.cpuUsage(generatorBefore);
      generatorCpu += (used.user + used.system) / 1e6;
      rates.push(result['2xx'] / seconds);
      p99s.push(result.latency.p99);
      p50s.push(result.latency.p50);
      accepted += result['2xx'];
      refused += result.non2xx + result.errors + result.timeouts;
      // The last answer may come while another request's check is still publishing the round.
      const after = await pollUntil(
        () => operator.call<{ phase: string }>('GET', `/v1/operator/rounds/${round.id}`),
        (r) => r.phase === 'published' || r.phase === 'failed',
        { everyMs: 200, untilMs: Date.now() + 300_000 },
      );
      if (after.phase !== 'published') throw new Error(`round ${round.id} ended in ${after.phase}`);
    }
    const serverBeforeHealth = cpuSecondsOf(child.pid!);
    const health = await autocannon({
      url: `${url}/health`,
      connections: Math.min(shops, 200),
      duration: 5,
    });
    const healthCpu = cpuSecondsOf(child.pid!) - serverBeforeHealth;
    return {
      store: database.startsWith('postgres') ? 'postgres' : 'sqlite',
      shops,
      uploadsPerSecond: median(rates),
      p99Ms: Math.max(...p99s),
      p50Ms: median(p50s),
      rounds,
      parameters: parameterCount(),
      accepted,
      refused,
      health: {
        perSecond: health.requests.average,
        p99Ms: health.latency.p99,
        serverCpuMsPerRequest: (healthCpu * 1000) / Math.max(1, health['2xx']),
      },
      cpuSeconds: {
        server: serverCpu,
        serverMainThread: mainThreadCpu,
        loadGenerator: generatorCpu,
        ...(options.databaseCpuSeconds ? { database: databaseCpu } : {}),
      },
      serverCpuMsPerUpload: (serverCpu * 1000) / Math.max(1, accepted),
      mainThreadCpuMsPerUpload: (mainThreadCpu * 1000) / Math.max(1, accepted),
      ...(options.databaseCpuSeconds
        ? { databaseCpuMsPerUpload: (databaseCpu * 1000) / Math.max(1, accepted) }
        : {}),
      loadAverage,
    };
  } finally {
    await stopService(child);
    rmSync(dir, { recursive: true, force: true });
  }
}
