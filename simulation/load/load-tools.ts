import { request as httpRequest, type Agent } from 'node:http';
import { SyncError } from '../../electron/sync/errors.ts';
import { retryDelayMs } from '../../electron/sync/outbox.ts';
import { isTransientStatus, sleep } from '../retry.ts';
import type { CoordinatorStore } from '../../coordinator/store/database.ts';
import { createInvite, enrolShop } from '../../coordinator/store/shops.ts';
import { generateShopKeyPair, type ShopKeyPair } from '../../federated/protocol/index.ts';

export type LatencyStats = {
  count: number;
  p50Ms: number;
  p95Ms: number;
  p99Ms: number;
  maxMs: number;
};

export function stats(values: number[]): LatencyStats {
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

export const formatStats = (name: string, s: LatencyStats) =>
  `${name}: p50 ${s.p50Ms} ms, p95 ${s.p95Ms} ms, p99 ${s.p99Ms} ms, max ${s.maxMs} ms (${s.count})`;

/** Runs `work(0 … count-1)`, at most `size` at a time. */
export async function inBatches<T>(
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
export function slots(count: number): { acquire(): Promise<void>; release(): void } {
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

/** A request that got an answer other than 2xx. */
export class StatusError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/** One request over the shared pool; the answer's status and text. */
export function send(
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
 * How a simulated shop retries one step of its night: as the app's outbox does (30 s, 1 min,
 * 2 min …, here compressed 60 times: 0.5 s, 1 s … 8 s), six tries in all; then the step and the
 * shop's night count as failed.
 */
export const loadRetry = { attempts: 6, timeScale: 1 / 60 };

/**
 * A connection that failed or was cut (ECONNRESET …), or a busy or broken server; for the app's
 * own HTTP client, what it says may be retried.
 */
export function isRetryable(error: unknown): boolean {
  if (error instanceof SyncError) return error.retryable;
  if (error instanceof StatusError) return isTransientStatus(error.status);
  return typeof (error as { code?: unknown } | null)?.code === 'string';
}

/**
 * Runs `step` until it succeeds, fails for good or has used its attempts; `onRetry` hears of
 * every failure that is tried again. Each attempt is a new request (new nonce, new signature).
 */
export async function retrying<T>(
  step: () => Promise<T>,
  onRetry: (error: unknown) => void,
  schedule = loadRetry,
): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await step();
    } catch (error) {
      if (attempt >= schedule.attempts || !isRetryable(error)) throw error;
      onRetry(error);
      await sleep(retryDelayMs(attempt) * schedule.timeScale);
    }
  }
}

/** Asks `read` every `everyMs` until `done` holds for its answer, or `untilMs` (epoch) passes. */
export async function pollUntil<T>(
  read: () => Promise<T>,
  done: (value: T) => boolean,
  options: { everyMs: number; untilMs: number },
): Promise<T> {
  for (;;) {
    const value = await read();
    if (done(value) || Date.now() >= options.untilMs) return value;
    await sleep(options.everyMs);
  }
}

/**
 * Enrols a shop straight in the coordinator's database, with a fresh identity: the setup of a
 * load run or bench, not one of its measured steps.
 */
export async function enrolInDatabase(
  store: CoordinatorStore,
  shopName: string,
  appVersion: string,
  now: Date,
): Promise<{ shopId: string; keys: ShopKeyPair }> {
  const keys = generateShopKeyPair();
  const inviteCode = await createInvite(
    store,
    { expiresAt: new Date(now.getTime() + 3600_000), operatorId: null },
    now,
  );
  const outcome = await enrolShop(
    store,
    { inviteCode, shopName, appVersion, publicKey: keys.publicKey },
    now,
  );
  if (!outcome.ok) throw new Error(`enrolling ${shopName} was refused: ${outcome.reason}`);
  return { shopId: outcome.shop.id, keys };
}
