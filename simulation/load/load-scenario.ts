import { randomBytes } from 'node:crypto';
import { Agent, request as httpRequest } from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { buildCoordinator } from '../../coordinator/app.ts';
import { createOperator } from '../../coordinator/operator/accounts.ts';
import { createInvite, enrolShop } from '../../coordinator/store/shops.ts';
import {
  encodeFloat32,
  generateShopKeyPair,
  headers,
  protocolVersion,
  sha256Hex,
  signRequest,
} from '../../federated/protocol/index.ts';
import { OperatorClient } from '../operator-client.ts';

export type LoadOptions = {
  /** Simulated shops, each with its own Ed25519 identity enrolled through an operator invite. */
  shops: number;
  /** Shops start evenly spread over this window. */
  spreadMs: number;
  /** Length of the global model (1797 = the shared forecast network). */
  parameters?: number;
  /** Enrolment and invites run this many at a time (setup, not measured). */
  setupConcurrency?: number;
  /** Enrol the shops straight in the database instead of over HTTP (setup of large runs). */
  enrolInDatabase?: boolean;
  onProgress?: (done: number, total: number) => void;
};

export type LatencyStats = {
  count: number;
  p50Ms: number;
  p95Ms: number;
  p99Ms: number;
  maxMs: number;
};

export type LoadResult = {
  shops: number;
  parameters: number;
  requests: number;
  errors: number;
  firstErrors: string[];
  /** From the first shop's first request to the last shop's upload answer. */
  wallMs: number;
  requestsPerSecond: number;
  all: LatencyStats;
  byStep: Record<'round' | 'checkin' | 'model' | 'upload', LatencyStats>;
  /** Time a request waited for one of the harness's sockets before it was signed and sent. */
  socketWait: LatencyStats;
  round: { phase: string; uploads: number; resultVersion: number | null };
  setupMs: { enrol: number };
};

type Step = 'round' | 'checkin' | 'model' | 'upload';
type Sample = { step: Step; ms: number; status: number };

function stats(values: number[]): LatencyStats {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (q: number) =>
    sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)] ?? 0;
  const round = (v: number) => Math.round(v * 10) / 10;
  return {
    count: sorted.length,
    p50Ms: round(at(0.5)),
    p95Ms: round(at(0.95)),
    p99Ms: round(at(0.99)),
    maxMs: round(sorted.at(-1) ?? 0),
  };
}

async function inBatches<T>(
  count: number,
  size: number,
  work: (i: number) => Promise<T>,
): Promise<T[]> {
  const out: T[] = new Array(count);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(size, count) }, async () => {
      while (next < count) {
        const i = next++;
        out[i] = await work(i);
      }
    }),
  );
  return out;
}

/** At most `count` holders at once; the others wait in arrival order. */
function slots(count: number): { acquire(): Promise<void>; release(): void } {
  let free = count;
  const waiting: (() => void)[] = [];
  return {
    acquire: () => {
      if (free > 0) {
        free--;
        return Promise.resolve();
      }
      return new Promise((resolve) => waiting.push(resolve));
    },
    release: () => {
      const next = waiting.shift();
      if (next) next();
      else free++;
    },
  };
}

/** One request over the shared pool; the answer's status and text. */
function send(
  agent: Agent,
  url: string,
  method: string,
  body: string | null,
  headers: Record<string, string>,
): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const request = httpRequest(url, { method, headers, agent }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () =>
        resolve({ status: response.statusCode ?? 0, text: Buffer.concat(chunks).toString() }),
      );
      response.on('error', reject);
    });
    request.on('error', reject);
    request.end(body ?? undefined);
  });
}

/**
 * Many shops checking in and uploading against one real coordinator on loopback: every shop
 * request is a real signed request (Ed25519 over method, path, time, nonce and body), the
 * coordinator validates and persists each upload in SQLite, and the round publishes when the
 * last one arrives. Latency is measured per request on the shop side.
 */
export async function runLoadScenario(options: LoadOptions): Promise<LoadResult> {
  const parameters = options.parameters ?? 1797;
  const dir = mkdtempSync(join(tmpdir(), 'breadcast-load-'));
  const app = await buildCoordinator({
    db: join(dir, 'coordinator.db'),
    logger: pino({ level: 'silent' }),
    initialWeights: () => new Float32Array(parameters),
    schedule: false,
    // Every simulated shop enrols from 127.0.0.1: the per-address limit would stop the setup.
    enrolRateLimit: { max: options.shops * 2 + 100, timeWindow: 60_000 },
  });
  // In one process, a socket per shop would hold two file descriptors (client and server end):
  // 10,000 shops would reach the process's limit. The shops share a pool of kept-alive sockets.
  const maxSockets = 512;
  const agent = new Agent({ keepAlive: true, maxSockets });
  try {
    await app.listen({ host: '127.0.0.1', port: 0 });
    const address = app.server.address();
    if (!address || typeof address === 'string') throw new Error('no port');
    const url = `http://127.0.0.1:${address.port}`;
    await createOperator(app.coordinator.store, 'load', 'load test operator password');
    const operator = await OperatorClient.login(url, 'load', 'load test operator password');

    const setupStarted = performance.now();
    const concurrency = options.setupConcurrency ?? 16;
    const identities = await inBatches(options.shops, concurrency, async (i) => {
      const keys = generateShopKeyPair();
      if (options.enrolInDatabase) {
        const store = app.coordinator.store;
        const now = new Date();
        const inviteCode = await createInvite(
          store,
          { expiresAt: new Date(now.getTime() + 3600_000), operatorId: null },
          now,
        );
        const outcome = await enrolShop(
          store,
          {
            inviteCode,
            shopName: `Load bakery ${i}`,
            appVersion: '0.1.0',
            publicKey: keys.publicKey,
          },
          now,
        );
        if (!outcome.ok) throw new Error(`enrol ${i}: ${outcome.reason}`);
        return { shopId: outcome.shop.id, privateKey: keys.privateKey };
      }
      const code = await operator.invite();
      const response = await fetch(`${url}/v1/enrol`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          [headers.protocol]: String(protocolVersion),
        },
        body: JSON.stringify({
          inviteCode: code,
          shopName: `Load bakery ${i}`,
          appVersion: '0.1.0',
          publicKey: keys.publicKey,
        }),
      });
      if (!response.ok) throw new Error(`enrol ${i}: ${response.status} ${await response.text()}`);
      const { shopId } = (await response.json()) as { shopId: string };
      return { shopId, privateKey: keys.privateKey };
    });
    const enrolMs = performance.now() - setupStarted;

    await operator.call('PUT', '/v1/operator/settings', {
      schedule: null,
      round: {
        mode: 'plain',
        minShops: options.shops,
        clipNorm: 1,
        weighting: 'equal',
        deadlines: {
          openSeconds: 0,
          advertiseSeconds: 60,
          shareSeconds: 60,
          collectSeconds: 3600,
          confirmSeconds: 60,
          unmaskSeconds: 60,
        },
      },
    });
    const opened = await operator.call<{ id: number; modelVersion: number }>(
      'POST',
      '/v1/operator/rounds',
      {},
    );

    const samples: Sample[] = [];
    const waits: number[] = [];
    const sockets = slots(maxSockets);
    const errors: string[] = [];
    let done = 0;
    const signed = async (
      identity: { shopId: string; privateKey: string },
      step: Step,
      method: 'GET' | 'POST',
      path: string,
      body: string | null,
    ): Promise<unknown> => {
      // A shop signs when it can send: waiting for one of the harness's sockets is not part of
      // the request (a real shop has its own connection), and must not age its timestamp.
      const waitStarted = performance.now();
      await sockets.acquire();
      waits.push(performance.now() - waitStarted);
      const timestamp = Date.now();
      const nonce = randomBytes(18).toString('base64url');
      const started = performance.now();
      let status = 0;
      try {
        const answer = await send(agent, `${url}${path}`, method, body, {
          [headers.protocol]: String(protocolVersion),
          'x-breadcast-app-version': '0.1.0',
          [headers.shop]: identity.shopId,
          [headers.timestamp]: String(timestamp),
          [headers.nonce]: nonce,
          [headers.signature]: signRequest(identity.privateKey, {
            method,
            path,
            shopId: identity.shopId,
            timestamp,
            nonce,
            body: body ?? '',
          }),
          ...(body === null ? {} : { 'content-type': 'application/json' }),
        });
        status = answer.status;
        if (status < 200 || status >= 300)
          throw new Error(`${method} ${path}: ${status} ${answer.text.slice(0, 200)}`);
        return JSON.parse(answer.text) as unknown;
      } catch (error) {
        const code = (error as { code?: string }).code;
        errors.push(code ? `${method} ${path}: ${code}` : (error as Error).message);
        throw error;
      } finally {
        samples.push({ step, ms: performance.now() - started, status });
        sockets.release();
      }
    };

    const started = performance.now();
    await Promise.all(
      identities.map(async (identity, i) => {
        await new Promise((resolve) => setTimeout(resolve, (i * options.spreadMs) / options.shops));
        try {
          const current = (await signed(identity, 'round', 'GET', '/v1/rounds/current', null)) as {
            round: { id: number; modelVersion: number } | null;
          };
          const roundId = current.round?.id ?? opened.id;
          const version = current.round?.modelVersion ?? opened.modelVersion;
          await signed(identity, 'checkin', 'POST', `/v1/rounds/${roundId}/checkin`, '{}');
          await signed(identity, 'model', 'GET', `/v1/models/${version}`, null);
          // A small update well inside the clip norm, different for every shop.
          const delta = Float32Array.from({ length: parameters }, (_, j) => 1e-4 * Math.sin(i + j));
          const encoded = encodeFloat32(delta);
          await signed(
            identity,
            'upload',
            'POST',
            `/v1/rounds/${roundId}/update`,
            JSON.stringify({
              modelVersion: version,
              parameterCount: parameters,
              sampleCount: 30 + (i % 50),
              encoding: 'f32le-base64',
              delta: encoded,
              sha256: sha256Hex(Buffer.from(encoded, 'base64')),
            }),
          );
        } catch {
          // Counted in errors; the shop stops, as a real one would until its next sync.
        } finally {
          options.onProgress?.(++done, options.shops);
        }
      }),
    );
    const wallMs = performance.now() - started;
    const round = await operator.call<{
      phase: string;
      uploads: number;
      resultVersion: number | null;
    }>('GET', `/v1/operator/rounds/${opened.id}`);
    const of = (step: Step) => stats(samples.filter((s) => s.step === step).map((s) => s.ms));
    return {
      shops: options.shops,
      parameters,
      requests: samples.length,
      errors: errors.length,
      firstErrors: errors.slice(0, 5),
      wallMs: Math.round(wallMs),
      requestsPerSecond: Math.round((samples.length / wallMs) * 1000 * 10) / 10,
      all: stats(samples.map((s) => s.ms)),
      byStep: {
        round: of('round'),
        checkin: of('checkin'),
        model: of('model'),
        upload: of('upload'),
      },
      socketWait: stats(waits),
      round: {
        phase: round.phase,
        uploads: round.uploads,
        resultVersion: round.resultVersion ?? null,
      },
      setupMs: { enrol: Math.round(enrolMs) },
    };
  } finally {
    agent.destroy();
    await app.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** One line per figure, for `breadcast bench` and the load test's log. */
export function formatLoadResult(r: LoadResult): string[] {
  const step = (name: string, s: LatencyStats) =>
    `${name}: p50 ${s.p50Ms} ms, p95 ${s.p95Ms} ms, p99 ${s.p99Ms} ms, max ${s.maxMs} ms (${s.count})`;
  return [
    `${r.shops} shops checked in and uploaded ${r.parameters}-parameter updates in ${(r.wallMs / 1000).toFixed(1)} s: ${r.requests} signed requests, ${r.errors} errors, ${r.requestsPerSecond} req/s`,
    step('all requests', r.all),
    ...(['round', 'checkin', 'model', 'upload'] as const).map((k) => step(k, r.byStep[k])),
    step('waiting for a harness socket (before signing)', r.socketWait),
    `round ${r.round.phase} with ${r.round.uploads} uploads → model version ${r.round.resultVersion ?? '-'}; setup (invites + enrolment): ${(r.setupMs.enrol / 1000).toFixed(1)} s`,
  ];
}
