import { randomBytes } from 'node:crypto';
import { Agent } from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { buildCoordinator } from '../../coordinator/app.ts';
import { createOperator } from '../../coordinator/operator/accounts.ts';
import {
  encodeFloat32,
  generateShopKeyPair,
  headers,
  protocolVersion,
  sha256Hex,
  signRequest,
} from '../../federated/protocol/index.ts';
import { OperatorClient } from '../operator-client.ts';
import {
  enrolInDatabase,
  formatStats,
  inBatches,
  pollUntil,
  retrying,
  send,
  slots,
  stats,
  StatusError,
  type LatencyStats,
} from './load-tools.ts';

export type { LatencyStats } from './load-tools.ts';

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
  /**
   * The round's collect deadline is this long after the last shop's start (default 120 s): a
   * round still missing updates then publishes with those it has, or fails below `minShops`.
   */
  collectGraceSeconds?: number;
  /** Fewest updates the round publishes with at its deadline (default 95 % of the shops). */
  minShops?: number;
  onProgress?: (done: number, total: number) => void;
};

export type LoadResult = {
  shops: number;
  parameters: number;
  requests: number;
  /** Requests that failed (a connection cut, a 5xx …), whether or not their retry succeeded. */
  errors: number;
  /** Requests sent again after such a failure. */
  retries: number;
  /** Shops whose night stopped: a step still failing after its retries, or refused. */
  shopsFailed: number;
  firstErrors: string[];
  /** From the first shop's first request to the last shop's upload answer. */
  wallMs: number;
  requestsPerSecond: number;
  all: LatencyStats;
  byStep: Record<'round' | 'checkin' | 'model' | 'upload', LatencyStats>;
  /** Time a request waited for one of the harness's sockets before it was signed and sent. */
  socketWait: LatencyStats;
  round: {
    phase: string;
    uploads: number;
    resultVersion: number | null;
    failureReason: string | null;
    /** From the first shop's first request until the round published or failed; null: neither. */
    endedAfterMs: number | null;
  };
  setupMs: { enrol: number };
};

type Step = 'round' | 'checkin' | 'model' | 'upload';
type Sample = { step: Step; ms: number; status: number };

/**
 * Many shops checking in and uploading against one real coordinator on loopback: every shop
 * request is a real signed request (Ed25519 over method, path, time, nonce and body), the
 * coordinator validates and persists each upload in SQLite, and the round publishes when the
 * last one arrives (or at its collect deadline, which the run waits for). A shop retries a
 * failed step like the app's outbox. Latency is measured per request on the shop side.
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
      if (options.enrolInDatabase) {
        const { shopId, keys } = await enrolInDatabase(
          app.coordinator.store,
          `Load bakery ${i}`,
          '0.1.0',
          new Date(),
        );
        return { shopId, privateKey: keys.privateKey };
      }
      const keys = generateShopKeyPair();
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

    const collectSeconds =
      Math.ceil(options.spreadMs / 1000) + (options.collectGraceSeconds ?? 120);
    await operator.call('PUT', '/v1/operator/settings', {
      schedule: null,
      round: {
        mode: 'plain',
        // Every shop uploading completes the round at once; fewer wait for the deadline.
        minShops: options.minShops ?? Math.ceil(options.shops * 0.95),
        clipNorm: 1,
        weighting: 'equal',
        deadlines: {
          openSeconds: 0,
          advertiseSeconds: 60,
          shareSeconds: 60,
          collectSeconds,
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
    let retries = 0;
    let shopsFailed = 0;
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
          throw new StatusError(
            status,
            `${method} ${path}: ${status} ${answer.text.slice(0, 200)}`,
          );
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

    // Each step is retried as the app's outbox would (a new signed request each time).
    const step = <T>(
      identity: { shopId: string; privateKey: string },
      name: Step,
      method: 'GET' | 'POST',
      path: string,
      body: string | null,
    ) =>
      retrying(
        () => signed(identity, name, method, path, body) as Promise<T>,
        () => retries++,
      );
    const started = performance.now();
    await Promise.all(
      identities.map(async (identity, i) => {
        await new Promise((resolve) => setTimeout(resolve, (i * options.spreadMs) / options.shops));
        try {
          const current = await step<{ round: { id: number; modelVersion: number } | null }>(
            identity,
            'round',
            'GET',
            '/v1/rounds/current',
            null,
          );
          const roundId = current.round?.id ?? opened.id;
          const version = current.round?.modelVersion ?? opened.modelVersion;
          await step(identity, 'checkin', 'POST', `/v1/rounds/${roundId}/checkin`, '{}');
          await step(identity, 'model', 'GET', `/v1/models/${version}`, null);
          // A small update well inside the clip norm, different for every shop.
          const delta = Float32Array.from({ length: parameters }, (_, j) => 1e-4 * Math.sin(i + j));
          const encoded = encodeFloat32(delta);
          await step(
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
          // Counted in errors; the shop's night stops here (the app tries at its next sync).
          shopsFailed++;
        } finally {
          options.onProgress?.(++done, options.shops);
        }
      }),
    );
    const wallMs = performance.now() - started;
    // The round publishes with the last upload, or at its collect deadline if some are missing.
    const terminal = (phase: string) => phase === 'published' || phase === 'failed';
    const round = await pollUntil(
      () =>
        operator.call<{
          phase: string;
          uploads: number;
          resultVersion: number | null;
          failureReason: string | null;
        }>('GET', `/v1/operator/rounds/${opened.id}`),
      (r) => terminal(r.phase),
      { everyMs: 1000, untilMs: Date.now() + collectSeconds * 1000 + 120_000 },
    );
    const endedAfterMs = terminal(round.phase) ? performance.now() - started : null;
    const of = (step: Step) => stats(samples.filter((s) => s.step === step).map((s) => s.ms));
    return {
      shops: options.shops,
      parameters,
      requests: samples.length,
      errors: errors.length,
      retries,
      shopsFailed,
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
        failureReason: round.failureReason ?? null,
        endedAfterMs: endedAfterMs === null ? null : Math.round(endedAfterMs),
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
  const ended =
    r.round.endedAfterMs === null
      ? 'had not ended when the run stopped waiting'
      : `ended ${(r.round.endedAfterMs / 1000).toFixed(1)} s after the first request`;
  return [
    `${r.shops} shops checked in and uploaded ${r.parameters}-parameter updates in ${(r.wallMs / 1000).toFixed(1)} s: ${r.requests} signed requests, ${r.errors} failed (${r.retries} retried), ${r.shopsFailed} shops gave up, ${r.requestsPerSecond} req/s`,
    formatStats('all requests', r.all),
    ...(['round', 'checkin', 'model', 'upload'] as const).map((k) => formatStats(k, r.byStep[k])),
    formatStats('waiting for a harness socket (before signing)', r.socketWait),
    `round ${r.round.phase} with ${r.round.uploads} uploads → model version ${r.round.resultVersion ?? '-'}${r.round.failureReason ? ` (${r.round.failureReason})` : ''}; ${ended}; setup (invites + enrolment): ${(r.setupMs.enrol / 1000).toFixed(1)} s`,
  ];
}
