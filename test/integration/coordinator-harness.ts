import { readFileSync } from 'node:fs';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import type { FastifyInstance } from 'fastify';
import { buildCoordinator, type CoordinatorOptions } from '../../coordinator/app.ts';
import { createOperator } from '../../coordinator/operator/accounts.ts';
import type { LocalTrainer } from '../../electron/sync/trainer.ts';
import { bakeryChainCsv } from '../../electron/logs/demo.ts';

/** Real data: one store of the German bakery chain, a slice of its days. */
export type Day = { weekday: number; temperature: number; sold: number };

let chain: Map<string, Day[]> | null = null;

export function chainDays(store: number, product: string, days: number): Day[] {
  if (!chain) {
    chain = new Map();
    const text = readFileSync(bakeryChainCsv, 'utf8');
    const lines = text.split('\n');
    const header = lines[0]!.split(',');
    const col = (name: string) => header.indexOf(name);
    const [iDate, iStore, iProduct, iSold, iClosed, iTemp] = [
      'date',
      'store',
      'product',
      'sold',
      'closed',
      'temperature',
    ].map(col);
    for (const line of lines.slice(1)) {
      if (!line) continue;
      const f = line.split(',');
      if (f[iClosed!] === '1') continue;
      const key = `${f[iStore!]}/${f[iProduct!]}`;
      const list = chain.get(key) ?? [];
      list.push({
        weekday: new Date(`${f[iDate!]}T00:00:00Z`).getUTCDay(),
        temperature: Number(f[iTemp!] || 0),
        sold: Number(f[iSold!]),
      });
      chain.set(key, list);
    }
  }
  const all = chain.get(`${store}/${product}`);
  if (!all) throw new Error(`no data for store ${store} ${product}`);
  return all.slice(0, days);
}

/**
 * A small, deterministic trainer on real sales: demand relative to the shop's own level,
 * linear in weekday and temperature. It stands in for the TF.js model so the protocol can be
 * checked exactly; parameterCount = 9.
 */
export const parameterCount = 9;

function features(day: Day): number[] {
  const x = new Array<number>(parameterCount).fill(0);
  x[day.weekday] = 1;
  x[7] = day.temperature / 10;
  x[8] = 1;
  return x;
}

export function linearTrainer(
  days: Day[],
): LocalTrainer & { trainSync(w: Float32Array, epochs: number, lr: number): Float32Array } {
  const level = days.reduce((s, d) => s + d.sold, 0) / days.length;
  const xs = days.map(features);
  const ys = days.map((d) => d.sold / level);
  const trainSync = (initial: Float32Array, epochs: number, lr: number) => {
    const w = Float64Array.from(initial);
    for (let e = 0; e < epochs; e++) {
      const grad = new Float64Array(parameterCount);
      xs.forEach((x, i) => {
        let pred = 0;
        for (let j = 0; j < parameterCount; j++) pred += w[j]! * x[j]!;
        const err = pred - ys[i]!;
        for (let j = 0; j < parameterCount; j++) grad[j]! += (2 * err * x[j]!) / xs.length;
      });
      for (let j = 0; j < parameterCount; j++) w[j]! -= lr * grad[j]!;
    }
    return Float32Array.from(w);
  };
  return {
    trainSync,
    async train({ initialWeights, epochs, learningRate }) {
      return { weights: trainSync(initialWeights, epochs, learningRate), sampleCount: days.length };
    },
    async evaluate(weights) {
      let abs = 0;
      let sold = 0;
      xs.forEach((x, i) => {
        let pred = 0;
        for (let j = 0; j < parameterCount; j++) pred += weights[j]! * x[j]!;
        abs += Math.abs(pred * level - days[i]!.sold);
        sold += days[i]!.sold;
      });
      return { n: days.length, pinball: abs / level / days.length / 2, wape: abs / sold };
    },
  };
}

export function tempDir(prefix: string): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

export const silentLog = pino({ level: 'silent' });

export async function startCoordinator(
  dbPath: string,
  port = 0,
  extra: Partial<CoordinatorOptions> = {},
): Promise<{ app: FastifyInstance; url: string; port: number }> {
  const app = await buildCoordinator({
    db: dbPath,
    logger: silentLog,
    initialWeights: () => new Float32Array(parameterCount),
    schedule: false,
    ...extra,
  });
  await app.listen({ host: '127.0.0.1', port });
  const address = app.server.address();
  if (!address || typeof address === 'string') throw new Error('no port');
  return { app, url: `http://127.0.0.1:${address.port}`, port: address.port };
}

/** An operator session over real HTTP: cookie + CSRF token, as the dashboard would hold them. */
export async function operatorSession(
  app: FastifyInstance,
  url: string,
  name = 'ops',
  password = 'correct horse battery',
) {
  const { store } = app.coordinator;
  if (!(await store.get('SELECT 1 AS found FROM operators WHERE name = ?', [name])))
    await createOperator(store, name, password);
  const response = await fetch(`${url}/v1/operator/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ name, password }),
  });
  if (!response.ok) throw new Error(`login failed: ${response.status} ${await response.text()}`);
  const cookie = response.headers.get('set-cookie')!.split(';')[0]!;
  const { csrfToken } = (await response.json()) as { csrfToken: string };
  const call = async (method: string, path: string, body?: unknown) => {
    const r = await fetch(`${url}${path}`, {
      method,
      headers: {
        cookie,
        'x-csrf-token': csrfToken,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await r.text();
    return { status: r.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
  };
  return { cookie, csrfToken, call };
}
